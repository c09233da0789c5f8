import { mkdir } from "node:fs/promises";
import { resolve } from "node:path";
import { type SQL, sql } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import { drizzle as drizzlePostgres } from "drizzle-orm/postgres-js";
import { createLifoPool } from "./lifo-pool.js";
import { PgliteThread } from "./pglite-thread.js";
import { ephemeralKeyring, type PiiKeyring } from "./pii/keyring.js";
import { attachPii } from "./pii/registry.js";
import * as schema from "./schema.js";

/**
 * The only module that knows database drivers. Everything else receives a `Db`, which is drizzle's
 * driver-neutral `PgDatabase`: the same queries run on embedded PGlite and on a PostgreSQL server.
 */
export type Db = PgDatabase<PgQueryResultHKT, typeof schema>;

export type DriverName = "pglite" | "postgres";

export interface Database {
  readonly db: Db;
  readonly driver: DriverName;
  /** Where the database is, safe to log: passwords are redacted. */
  readonly describe: string;
  /** Round-trip a trivial query; throws when the database is unreachable. */
  ping(): Promise<void>;
  /**
   * Run `fn` while holding the session-level Postgres advisory lock `key`, across every process that
   * shares this database. Not reentrant on the server: do not nest the same key.
   */
  withAdvisoryLock<T>(key: bigint | number, fn: () => Promise<T>): Promise<T>;
  /** Close the connection(s). Idempotent. */
  close(): Promise<void>;
}

export interface OpenDatabaseOptions {
  /** Pool size for postgres:// URLs (default 10, at least 2: advisory locks reserve a connection). */
  max?: number;
  /**
   * The keys that encrypt personal data (src/db/pii/). `memory://` databases get random keys that die with
   * them; other databases without keys cannot read or write leads until `attachPii` gives them some.
   */
  pii?: PiiKeyring;
  /**
   * postgres:// only: every connection of the pool acts as this role (the `role` startup parameter, as
   * `SET ROLE` would), e.g. a SELECT-only role for read-only work. The login must be a member of it.
   */
  role?: string;
}

export const DbErrorCode = {
  InvalidUrl: "invalid_url",
  InvalidOption: "invalid_option",
  Unsupported: "unsupported",
} as const;
export type DbErrorCode = (typeof DbErrorCode)[keyof typeof DbErrorCode];

export class DbError extends Error {
  constructor(
    readonly code: DbErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "DbError";
  }
}

/**
 * Run raw SQL (the `sql` template, never concatenation) and return its rows. For queries the query builder
 * cannot express; `db.execute` alone returns a driver-specific shape (postgres.js: an array; PGlite: `{ rows }`).
 * Values come back as the driver parses them, without drizzle's column mapping.
 */
export async function queryRows<T extends Record<string, unknown>>(db: Db, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  if (Array.isArray(result)) return result as T[];
  return (result as { rows: T[] }).rows;
}

/** Postgres SQLSTATE codes we act on. https://www.postgresql.org/docs/current/errcodes-appendix.html */
export const SqlState = {
  UniqueViolation: "23505",
  ForeignKeyViolation: "23503",
  CheckViolation: "23514",
} as const;

/**
 * The SQLSTATE of a failed query, from either driver: both put `code` on their error, which drizzle wraps
 * in a `DrizzleQueryError` as `cause`.
 */
export function sqlStateOf(error: unknown): string | undefined {
  for (let e: unknown = error, depth = 0; e instanceof Error && depth < 5; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return code;
  }
  return undefined;
}

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/**
 * Open a database by URL:
 * - `memory://`: in-memory PGlite (tests);
 * - `pglite://<dir>`: PGlite on disk, the directory created if missing (e.g. `pglite://./.data/pglite`);
 * - `postgres://…` or `postgresql://…`: a PostgreSQL server through postgres.js (`?sslmode=require` works).
 *
 * postgres.js connects lazily: a bad server URL surfaces at the first query, so call `ping()` to check.
 * The caller owns the returned `Database` and must `close()` it.
 */
export async function openDatabase(url: string, options: OpenDatabaseOptions = {}): Promise<Database> {
  const database = await openByUrl(url, options);
  const pii = options.pii ?? (database.describe === "memory://" ? ephemeralKeyring() : undefined);
  if (pii) attachPii(database.db, pii);
  return database;
}

async function openByUrl(url: string, options: OpenDatabaseOptions): Promise<Database> {
  if (options.role !== undefined && !/^postgres(ql)?:\/\//.test(url)) {
    // Embedded PGlite has one connection and one user: there is no second role to act as.
    throw new DbError(DbErrorCode.Unsupported, "a connection role needs a PostgreSQL server (postgres://)");
  }
  if (url === "memory://" || url === "memory:") {
    return wrapPglite(await PgliteThread.open(), "memory://");
  }
  if (url.startsWith("pglite://")) {
    const dir = url.slice("pglite://".length);
    if (dir === "")
      throw new DbError(DbErrorCode.InvalidUrl, "pglite:// needs a directory, e.g. pglite://./.data");
    const dataDir = resolve(dir);
    await mkdir(dataDir, { recursive: true });
    return wrapPglite(await PgliteThread.open({ dataDir }), `pglite://${dataDir}`);
  }
  if (/^postgres(ql)?:\/\//.test(url)) return openPostgres(url, options);
  throw new DbError(
    DbErrorCode.InvalidUrl,
    `unsupported database URL ${redactUrl(url)}: use memory://, pglite://<dir>, postgres:// or postgresql://`,
  );
}

/**
 * Snapshot a PGlite database's whole data directory. With `openPgliteFromDump` this clones a migrated
 * database in well under the 4–5 s that creating a fresh PGlite takes.
 */
export async function dumpPgliteDataDir(database: Database): Promise<Blob> {
  const client = pgliteClients.get(database);
  if (client === undefined) {
    throw new DbError(
      DbErrorCode.Unsupported,
      `only PGlite databases can be dumped, not ${database.describe}`,
    );
  }
  // Uncompressed: the dump lives in memory briefly and gzip would cost more time than it saves. The thread
  // checkpoints first, so a database loaded from the dump need not start with WAL recovery.
  return client.dumpDataDir("none");
}

/** Open a new in-memory PGlite database from a `dumpPgliteDataDir` snapshot. */
export async function openPgliteFromDump(
  dump: Blob,
  pii: PiiKeyring = ephemeralKeyring(),
): Promise<Database> {
  const database = wrapPglite(await PgliteThread.open({ loadDataDir: dump }), "memory:// (from dump)");
  attachPii(database.db, pii);
  return database;
}

const pgliteClients = new WeakMap<Database, PgliteThread>();

function wrapPglite(client: PgliteThread, describe: string): Database {
  const db: Db = drizzlePglite({ client: client.asPglite(), schema });
  const mutex = new KeyedMutex();
  let closed: Promise<void> | undefined;
  const database: Database = {
    db,
    driver: "pglite",
    describe,
    async ping() {
      await db.execute(sql`select 1`);
    },
    async withAdvisoryLock(key, fn) {
      const lockKey = advisoryKey(key);
      // PGlite is a single session, where advisory locks are reentrant and exclude nobody, so callers in
      // this process queue on a mutex; the Postgres lock is still taken so pg_locks looks as on a server.
      return mutex.run(lockKey, async () => {
        await db.execute(sql`select pg_advisory_lock(${lockKey}::bigint)`);
        try {
          return await fn();
        } finally {
          await db.execute(sql`select pg_advisory_unlock(${lockKey}::bigint)`);
        }
      });
    },
    close() {
      closed ??= client.close();
      return closed;
    },
  };
  pgliteClients.set(database, client);
  return database;
}

function openPostgres(url: string, options: OpenDatabaseOptions): Database {
  const max = options.max ?? 10;
  if (!Number.isInteger(max) || max < 2) {
    throw new DbError(
      DbErrorCode.InvalidOption,
      `max must be an integer ≥ 2 (an advisory lock holds one connection while fn uses another), got ${max}`,
    );
  }
  const pool = createLifoPool(url, max, {
    // Postgres NOTICEs ("relation already exists, skipping" from idempotent DDL) are not our logs.
    onnotice: () => {},
    connection: {
      application_name: "marketing-agents",
      ...(options.role !== undefined ? { role: options.role } : {}),
    },
  });
  const db: Db = drizzlePostgres({ client: pool.client, schema });
  pool.shareTypeOptions();
  let closed: Promise<void> | undefined;
  return {
    db,
    driver: "postgres",
    describe: redactUrl(url),
    async ping() {
      await db.execute(sql`select 1`);
    },
    async withAdvisoryLock(key, fn) {
      const lockKey = advisoryKey(key);
      // Session-level advisory locks belong to a connection: pin one for the lock's whole lifetime.
      const reserved = await pool.reserve();
      try {
        await reserved`select pg_advisory_lock(${lockKey}::bigint)`;
        try {
          return await fn();
        } finally {
          await reserved`select pg_advisory_unlock(${lockKey}::bigint)`;
        }
      } finally {
        reserved.release();
      }
    },
    close() {
      closed ??= pool.end({ timeout: 5 });
      return closed;
    },
  };
}

/** Advisory lock keys are int64; passed as decimal text so both drivers bind them the same way. */
function advisoryKey(key: bigint | number): string {
  if (typeof key === "number" && !Number.isSafeInteger(key)) {
    throw new DbError(DbErrorCode.InvalidOption, `advisory lock key must be an integer, got ${key}`);
  }
  const big = BigInt(key);
  if (big < INT64_MIN || big > INT64_MAX) {
    throw new DbError(DbErrorCode.InvalidOption, `advisory lock key ${big} is outside the int64 range`);
  }
  return big.toString();
}

/** The URL with any password replaced by `***`, fit for logs and error messages. */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return url.replace(/\/\/([^:/@]*):[^@/]*@/, "//$1:***@");
  }
  if (parsed.password !== "") parsed.password = "***";
  if (parsed.searchParams.has("password")) parsed.searchParams.set("password", "***");
  return parsed.toString();
}

/** Serializes async work per key within this process. */
class KeyedMutex {
  private readonly tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const result = previous.then(fn, fn);
    const tail = result.catch(() => undefined);
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    });
    return result;
  }
}
