/**
 * A SELECT-only database role for read-only work (the MCP read tools, security-tests C6 / OWASP LLM06):
 * whatever a read path is tricked into, the database refuses to write. Checked when the pool opens, so a
 * role that can write is a startup error, not a false sense of safety.
 */
import { sql } from "drizzle-orm";
import { type Database, DbError, DbErrorCode, openDatabase, queryRows } from "./client.js";
import type { PiiKeyring } from "./pii/keyring.js";

/** What an administrator runs once per database (needs CREATEROLE; `app_login` is the server's login). */
export function readerRoleSql(role: string, appLogin: string): string {
  const r = quoteIdent(role);
  return [
    `CREATE ROLE ${r} NOLOGIN;`,
    `GRANT USAGE ON SCHEMA public TO ${r};`,
    `GRANT SELECT ON ALL TABLES IN SCHEMA public TO ${r};`,
    // Tables later migrations create, as the app login creates them.
    `ALTER DEFAULT PRIVILEGES FOR ROLE ${quoteIdent(appLogin)} IN SCHEMA public GRANT SELECT ON TABLES TO ${r};`,
    `GRANT ${r} TO ${quoteIdent(appLogin)};`,
  ].join("\n");
}

const quoteIdent = (name: string) => `"${name.replaceAll('"', '""')}"`;

/**
 * Opens a pool that acts as `role`, and refuses it (closing the pool) when the role can INSERT, UPDATE,
 * DELETE or TRUNCATE any table of the schema, or is not the role the connections act as.
 */
export async function openReaderDatabase(
  url: string,
  role: string,
  options: { pii?: PiiKeyring; max?: number } = {},
): Promise<Database> {
  const database = await openDatabase(url, { ...options, max: options.max ?? 3, role });
  try {
    const [who] = await queryRows<{ current_user: string }>(database.db, sql`select current_user`);
    if (who?.current_user !== role) {
      throw new DbError(
        DbErrorCode.InvalidOption,
        `the reader connections act as "${who?.current_user}", not "${role}"`,
      );
    }
    const writable = await queryRows<{ table: string }>(
      database.db,
      sql`select c.relname as "table" from pg_class c join pg_namespace n on n.oid = c.relnamespace
          where n.nspname = 'public' and c.relkind in ('r', 'p')
            and (has_table_privilege(c.oid, 'INSERT') or has_table_privilege(c.oid, 'UPDATE')
              or has_table_privilege(c.oid, 'DELETE') or has_table_privilege(c.oid, 'TRUNCATE'))
          order by 1`,
    );
    if (writable.length > 0) {
      const tables = writable.map((w) => w.table);
      throw new DbError(
        DbErrorCode.InvalidOption,
        `database role "${role}" can write to ${tables.slice(0, 5).join(", ")}${tables.length > 5 ? ` and ${tables.length - 5} more` : ""}: a reader role must be SELECT-only`,
      );
    }
    return database;
  } catch (error) {
    await database.close();
    if (error instanceof DbError) throw error;
    // Not a member of the role, or it does not exist: Postgres says which at connect time.
    const reason = error instanceof Error ? error.message : String(error);
    throw new DbError(DbErrorCode.InvalidOption, `cannot act as database role "${role}": ${reason}`);
  }
}
