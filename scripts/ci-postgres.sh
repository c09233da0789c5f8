#!/usr/bin/env bash
# Prepare a local PostgreSQL 15 server with pgvector for the server-backed database tests, then print the
# TEST_DATABASE_URL to use. Run as root (CI containers). Idempotent: each step is skipped when done.
#
# Why build pgvector: Debian bookworm packages PostgreSQL 15 but not pgvector, and trixie's binary package
# would pull in a newer libc. Debian's source package for trixie builds against PG 15 in ~15 s.
#
# Environment (all optional):
#   MA_TEST_PASSWORD   password for the test role (default: ma_test; a throwaway local CI credential)
#   MA_CI_LOG          where apt/make output goes (default: /tmp/ci-postgres.log); shown on failure
set -euo pipefail

PG_MAJOR=15
PG_CONFIG="/usr/lib/postgresql/${PG_MAJOR}/bin/pg_config"
ROLE=ma_test
PASSWORD="${MA_TEST_PASSWORD:-ma_test}"
DATABASE=marketing_agents_test
PORT=5432
LOG="${MA_CI_LOG:-/tmp/ci-postgres.log}"
SRC_LIST=/etc/apt/sources.list.d/debian-trixie-src.sources
PACKAGES=("postgresql-${PG_MAJOR}" "postgresql-server-dev-${PG_MAJOR}" build-essential)

: >"$LOG"
step() { printf '• %s\n' "$*"; }

# Run a noisy command with its output in $LOG; on failure show the end of the log and stop.
quietly() {
  if ! "$@" >>"$LOG" 2>&1; then
    printf 'FAILED: %s\n--- last lines of %s ---\n' "$*" "$LOG" >&2
    tail -n 40 "$LOG" >&2
    exit 1
  fi
}

if [[ $EUID -ne 0 ]]; then
  echo "ci-postgres.sh must run as root (it installs packages and manages the cluster)" >&2
  exit 1
fi

# psql as the cluster's superuser; cd / so postgres does not complain about an unreadable cwd.
as_postgres() { (cd / && runuser -u postgres -- "$@"); }
psql_super() { as_postgres psql -X -q -v ON_ERROR_STOP=1 -p "$PORT" "$@"; }

missing_packages() {
  local p
  for p in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || printf '%s\n' "$p"
  done
}

# Reuse the archive URI and keyring of the existing Debian source (a deb822 file or a one-line list).
write_trixie_src_list() {
  local uri="" keyring=""
  if [[ -f /etc/apt/sources.list.d/debian.sources ]]; then
    uri=$(awk '/^URIs:/ && $2 ~ /\/debian\/?$/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
    keyring=$(awk '/^Signed-By:/ { print $2; exit }' /etc/apt/sources.list.d/debian.sources)
  fi
  uri=${uri:-http://deb.debian.org/debian}
  keyring=${keyring:-/usr/share/keyrings/debian-archive-keyring.gpg}
  cat >"$SRC_LIST" <<EOF
# Source packages only (for building pgvector against PostgreSQL ${PG_MAJOR}); written by scripts/ci-postgres.sh
Types: deb-src
URIs: ${uri}
Suites: trixie
Components: main
Signed-By: ${keyring}
EOF
}

vector_installed() { [[ -f "/usr/share/postgresql/${PG_MAJOR}/extension/vector.control" ]]; }

# 1. Packages and pgvector ------------------------------------------------------------------------------
mapfile -t missing < <(missing_packages)
if ((${#missing[@]} > 0)) || ! vector_installed; then
  updated=0
  if [[ ! -f "$SRC_LIST" ]]; then
    step "adding deb-src for Debian trixie ($SRC_LIST)"
    write_trixie_src_list
  fi
  if ((${#missing[@]} > 0)); then
    step "installing ${missing[*]}"
    quietly apt-get update
    updated=1
    DEBIAN_FRONTEND=noninteractive quietly apt-get install -y --no-install-recommends "${missing[@]}"
  fi
  if ! vector_installed; then
    step "building pgvector for PostgreSQL ${PG_MAJOR}"
    ((updated)) || quietly apt-get update
    build_dir=$(mktemp -d /tmp/pgvector-build.XXXXXX)
    trap 'rm -rf "$build_dir"' EXIT
    (cd "$build_dir" && quietly apt-get source --download-only pgvector)
    for orig in "$build_dir"/pgvector_*.orig.tar.*; do
      [[ $orig == *.asc ]] || tar -xf "$orig" -C "$build_dir"
    done
    src=$(find "$build_dir" -mindepth 1 -maxdepth 1 -type d | head -n 1)
    quietly make -C "$src" -j"$(nproc)" PG_CONFIG="$PG_CONFIG"
    quietly make -C "$src" install PG_CONFIG="$PG_CONFIG"
  fi
else
  step "postgresql-${PG_MAJOR} and pgvector already installed"
fi

# 2. Cluster ----------------------------------------------------------------------------------------------
if ! pg_lsclusters -h "$PG_MAJOR" main 2>/dev/null | grep -q .; then
  step "creating cluster ${PG_MAJOR}/main"
  quietly pg_createcluster --port "$PORT" "$PG_MAJOR" main
fi
if pg_lsclusters -h "$PG_MAJOR" main | awk '{ exit $4 == "online" ? 0 : 1 }'; then
  step "cluster ${PG_MAJOR}/main already running"
else
  step "starting cluster ${PG_MAJOR}/main"
  quietly pg_ctlcluster --skip-systemctl-redirect "$PG_MAJOR" main start
fi

# 3. TLS, so that `?sslmode=require` URLs can be tested against a server that really speaks it --------------
if [[ "$(psql_super -d postgres -tAc 'SHOW ssl')" != "on" ]]; then
  step "enabling TLS with a self-signed certificate"
  data_dir=$(psql_super -d postgres -tAc 'SHOW data_directory')
  if [[ ! -f "$data_dir/ci-server.key" ]]; then
    quietly openssl req -x509 -newkey rsa:2048 -nodes -days 3650 -subj "/CN=localhost" \
      -addext "subjectAltName=DNS:localhost,IP:127.0.0.1" \
      -keyout "$data_dir/ci-server.key" -out "$data_dir/ci-server.crt"
    chown postgres:postgres "$data_dir/ci-server.key" "$data_dir/ci-server.crt"
    chmod 600 "$data_dir/ci-server.key"
  fi
  psql_super -d postgres <<SQL
ALTER SYSTEM SET ssl_cert_file = '$data_dir/ci-server.crt';
ALTER SYSTEM SET ssl_key_file = '$data_dir/ci-server.key';
ALTER SYSTEM SET ssl = on;
SELECT pg_reload_conf() \\g /dev/null
SQL
fi

# 4. Role, database, extension -----------------------------------------------------------------------------
# CREATEDB (not superuser) so server tests can give each test file its own database; CREATEROLE so the
# reader-role test can make a SELECT-only role (src/db/reader-role.int.test.ts).
psql_super -d postgres -v role="$ROLE" -v password="$PASSWORD" <<'SQL'
SELECT NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'role') AS create_role \gset
\if :create_role
  CREATE ROLE :"role" LOGIN CREATEDB CREATEROLE PASSWORD :'password';
\else
  ALTER ROLE :"role" LOGIN CREATEDB CREATEROLE NOSUPERUSER PASSWORD :'password';
\endif
-- Tests drop their databases WITH (FORCE); an autovacuum worker still in one can only be ended by a member
-- of pg_signal_backend, otherwise the drop fails at random. GRANT is idempotent.
GRANT pg_signal_backend TO :"role";
SQL

if [[ -z "$(psql_super -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '${DATABASE}'")" ]]; then
  step "creating database ${DATABASE}"
  psql_super -d postgres -c "CREATE DATABASE ${DATABASE} OWNER ${ROLE}"
fi

# pgvector is not a trusted extension, so the app role cannot create it: do it here as superuser. In
# template1 too, so that databases the tests create already have it.
for db in template1 "$DATABASE"; do
  psql_super -d "$db" -c "SET client_min_messages = warning; CREATE EXTENSION IF NOT EXISTS vector"
done

version=$(psql_super -d "$DATABASE" -tAc "SELECT extversion FROM pg_extension WHERE extname = 'vector'")
step "ready: PostgreSQL ${PG_MAJOR}, pgvector ${version}"
echo "export TEST_DATABASE_URL=postgres://${ROLE}:${PASSWORD}@127.0.0.1:${PORT}/${DATABASE}"
