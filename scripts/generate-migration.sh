#!/usr/bin/env bash
# Generate the next drizzle migration from the schema files, one generator at a time (several people may
# work in one tree): usage `bash scripts/generate-migration.sh <name> [--custom]`.
set -euo pipefail
cd "$(dirname "$0")/.."
name=${1:?usage: generate-migration.sh <name> [--custom]}
shift
exec flock /tmp/marketing-agents-drizzle.lock npx drizzle-kit generate --name "$name" "$@"
