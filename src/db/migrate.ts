import { fileURLToPath } from "node:url";
import { sql } from "drizzle-orm";
import type { PgliteDatabase } from "drizzle-orm/pglite";
import { migrate as migratePglite } from "drizzle-orm/pglite/migrator";
import type { PostgresJsDatabase } from "drizzle-orm/postgres-js";
import { migrate as migratePostgres } from "drizzle-orm/postgres-js/migrator";
import { type Database, queryRows } from "./client.js";
import type * as schema from "./schema.js";

/**
 * The `drizzle/` folder at the package root: `../../drizzle` from both `src/db/` (tsx, vitest) and
 * `dist/db/` (the built package, which ships `drizzle/` beside `dist/`).
 */
export const MIGRATIONS_FOLDER = fileURLToPath(new URL("../../drizzle", import.meta.url));

/**
 * Advisory lock key that serializes migrations across processes and replicas: ASCII "ma:migr". Without it,
 * two replicas starting together race on drizzle's `CREATE SCHEMA IF NOT EXISTS` (a unique violation in
 * pg_namespace) and could both apply the same migration.
 */
export const MIGRATIONS_LOCK_KEY = 0x6d_61_3a_6d_69_67_72n;

// drizzle's migrator bookkeeping (its defaults, which we keep).
const MIGRATIONS_SCHEMA = "drizzle";
const MIGRATIONS_TABLE = "__drizzle_migrations";

export interface MigrateOptions {
  log?: (message: string) => void;
}

/** Apply pending migrations from `drizzle/`. Idempotent and safe to run from several processes at once. */
export async function migrate(
  database: Database,
  options: MigrateOptions = {},
): Promise<{ applied: number }> {
  const config = {
    migrationsFolder: MIGRATIONS_FOLDER,
    migrationsSchema: MIGRATIONS_SCHEMA,
    migrationsTable: MIGRATIONS_TABLE,
  };
  return database.withAdvisoryLock(MIGRATIONS_LOCK_KEY, async () => {
    const before = await appliedMigrations(database);
    // Db is the driver's own PgDatabase underneath; the migrators only use its dialect and session.
    if (database.driver === "pglite") {
      await migratePglite(database.db as PgliteDatabase<typeof schema>, config);
    } else {
      await migratePostgres(database.db as PostgresJsDatabase<typeof schema>, config);
    }
    const after = await appliedMigrations(database);
    const applied = after - before;
    options.log?.(
      applied === 0
        ? `${database.describe}: schema up to date (${after} migrations)`
        : `${database.describe}: applied ${applied} migration(s), ${after} in total`,
    );
    return { applied };
  });
}

/** How many migrations the database records as applied (0 before the first run). */
export async function appliedMigrations(database: Database): Promise<number> {
  const qualified = `${MIGRATIONS_SCHEMA}.${MIGRATIONS_TABLE}`;
  const [exists] = await queryRows<{ present: boolean }>(
    database.db,
    sql`select to_regclass(${qualified}) is not null as present`,
  );
  if (exists?.present !== true) return 0;
  const [row] = await queryRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from ${sql.identifier(MIGRATIONS_SCHEMA)}.${sql.identifier(MIGRATIONS_TABLE)}`,
  );
  return row?.n ?? 0;
}
