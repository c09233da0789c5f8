import { createHash, randomBytes } from "node:crypto";
import { mkdir, readdir, readFile, rename, writeFile } from "node:fs/promises";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { sql } from "drizzle-orm";
import {
  type Database,
  dumpPgliteDataDir,
  openDatabase,
  openPgliteFromDump,
  redactUrl,
} from "../../src/db/client.js";
import { MIGRATIONS_FOLDER, migrate } from "../../src/db/migrate.js";
import { keyringFromFile, type PiiKeyring } from "../../src/db/pii/keyring.js";

/**
 * Fixed keys for server databases in tests, so that two handles on one database (two "replicas") read each
 * other's rows. Never used outside tests.
 */
export const TEST_PII_KEYRING: PiiKeyring = keyringFromFile(
  {
    active: "test1",
    keys: { test1: Buffer.alloc(32, 7).toString("base64") },
    indexKey: Buffer.alloc(32, 9).toString("base64"),
  },
  "config",
);

/**
 * Databases for tests.
 *
 * PGlite: creating a fresh database runs initdb (4–5 s, more on a busy machine); loading a data-dir dump
 * takes about 1 s. So the first call in a process builds two dumps, one of an empty database and one
 * migrated, and every test database is a load of one of them. The dumps are also cached on disk, keyed by
 * the migrations and the PGlite versions, so later processes and runs skip initdb altogether.
 *
 * Server: when TEST_DATABASE_URL is set, each call creates its own database `test_<random>` (the role needs
 * CREATEDB; `scripts/ci-postgres.sh` sets that up, with pgvector in template1) and drops it on close, so
 * test files running in parallel never share tables.
 */

interface Dumps {
  empty: Blob;
  migrated: Blob;
}

let dumps: Promise<Dumps> | undefined;

/** A fresh, migrated, in-memory PGlite database of its own. The caller closes it. */
export async function createTestDatabase(): Promise<Database> {
  dumps ??= loadOrBuildDumps();
  return openPgliteFromDump((await dumps).migrated);
}

/** A fresh PGlite database with no migrations applied (not even the pgvector extension). */
export async function createEmptyTestDatabase(): Promise<Database> {
  dumps ??= loadOrBuildDumps();
  return openPgliteFromDump((await dumps).empty);
}

async function loadOrBuildDumps(): Promise<Dumps> {
  const dir = join(tmpdir(), "marketing-agents-test-pglite");
  const key = await cacheKey();
  const paths = { empty: join(dir, `${key}-empty.tar`), migrated: join(dir, `${key}-migrated.tar`) };
  try {
    const [empty, migrated] = await Promise.all([readFile(paths.empty), readFile(paths.migrated)]);
    return { empty: new Blob([empty]), migrated: new Blob([migrated]) };
  } catch {
    // Not cached yet (or unreadable): build below.
  }
  const database = await openDatabase("memory://");
  try {
    const empty = await dumpPgliteDataDir(database);
    await migrate(database);
    const migrated = await dumpPgliteDataDir(database);
    await mkdir(dir, { recursive: true });
    // Write-then-rename: parallel workers may build at once, and a reader must never see half a file.
    for (const [blob, path] of [
      [empty, paths.empty],
      [migrated, paths.migrated],
    ] as const) {
      const partial = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
      await writeFile(partial, new Uint8Array(await blob.arrayBuffer()));
      await rename(partial, path);
    }
    return { empty, migrated };
  } finally {
    await database.close();
  }
}

/** Changes whenever a migration or the PGlite build would make a cached dump wrong. */
async function cacheKey(): Promise<string> {
  const hash = createHash("sha256");
  const require = createRequire(import.meta.url);
  for (const pkg of ["@electric-sql/pglite", "@electric-sql/pglite-pgvector"]) {
    hash.update(`${pkg}@${await packageVersion(require.resolve(pkg))}\n`);
  }
  const files = await readdir(MIGRATIONS_FOLDER, { recursive: true });
  for (const file of files.filter((f) => f.endsWith(".sql") || f.endsWith("_journal.json")).sort()) {
    hash.update(`${file}\n`);
    hash.update(await readFile(join(MIGRATIONS_FOLDER, file)));
  }
  return hash.digest("hex").slice(0, 16);
}

async function packageVersion(entry: string): Promise<string> {
  for (let dir = dirname(entry); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(await readFile(join(dir, "package.json"), "utf8")) as { version?: string };
      if (manifest.version !== undefined) return manifest.version;
    } catch {
      // No package.json at this level (dist/ folders): keep walking up.
    }
  }
  return "unknown";
}

/** The PostgreSQL server to run the database suites against, if any. */
export function serverTestUrl(): string | undefined {
  const url = process.env["TEST_DATABASE_URL"];
  return url === undefined || url === "" ? undefined : url;
}

export interface ServerTestDatabase {
  /** Connection URL of the new database (same credentials as TEST_DATABASE_URL). */
  url: string;
  name: string;
  /** Drop the database, disconnecting anything still connected. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Create an empty database `test_<random>` on the TEST_DATABASE_URL server (pgvector comes from template1).
 * For tests that need several connections to one database; most tests want `createServerTestDatabase`.
 */
export async function createServerDatabase(): Promise<ServerTestDatabase> {
  const baseUrl = serverTestUrl();
  if (baseUrl === undefined) throw new Error("TEST_DATABASE_URL is not set");
  const name = `test_${randomBytes(6).toString("hex")}`;
  await withAdmin(baseUrl, (admin) => admin.db.execute(sql`create database ${sql.identifier(name)}`));
  const url = new URL(baseUrl);
  url.pathname = `/${name}`;
  let dropped: Promise<void> | undefined;
  return {
    url: url.toString(),
    name,
    drop() {
      dropped ??= withAdmin(baseUrl, async (admin) => {
        await admin.db.execute(sql`drop database if exists ${sql.identifier(name)} with (force)`);
      });
      return dropped;
    },
  };
}

/** A fresh database of its own on the server, migrated unless told otherwise; `close()` also drops it. */
export async function createServerTestDatabase(options: { migrate?: boolean } = {}): Promise<Database> {
  const created = await createServerDatabase();
  let database: Database;
  try {
    database = await openDatabase(created.url, { max: 4, pii: TEST_PII_KEYRING });
    if (options.migrate !== false) await migrate(database);
  } catch (error) {
    await created.drop();
    throw error;
  }
  const close = async () => {
    try {
      await database.close();
    } finally {
      await created.drop();
    }
  };
  return { ...database, describe: redactUrl(created.url), close };
}

async function withAdmin<T>(url: string, fn: (admin: Database) => Promise<T>): Promise<T> {
  const admin = await openDatabase(url, { max: 2 });
  try {
    return await fn(admin);
  } finally {
    await admin.close();
  }
}

/**
 * The databases a suite runs on: in-process PGlite always, and the PostgreSQL server when TEST_DATABASE_URL
 * is set. For `describe.each(databaseBackends())("… ($name)", ({ open }) => …)`.
 */
export function databaseBackends(): { name: string; open: () => Promise<Database> }[] {
  return [
    { name: "PGlite", open: createTestDatabase },
    ...(serverTestUrl() === undefined
      ? []
      : [{ name: "PostgreSQL server", open: () => createServerTestDatabase() }]),
  ];
}
