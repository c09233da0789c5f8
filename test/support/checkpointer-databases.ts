import { randomBytes } from "node:crypto";
import { getTableName, sql } from "drizzle-orm";
import { type Database, type Db, openDatabase } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import {
  threadCheckpointBlobs,
  threadCheckpoints,
  threadCheckpointWrites,
} from "../../src/memory/checkpointer/checkpointer.schema.js";
import { createServerDatabase } from "./database.js";

/** Remove every row the checkpointer keeps, in one statement. */
export async function emptyCheckpointTables(db: Db): Promise<void> {
  await db.execute(sql`
    with a as (delete from ${threadCheckpointBlobs}), b as (delete from ${threadCheckpointWrites})
    delete from ${threadCheckpoints}`);
}

/**
 * A fresh set of checkpointer tables per checkpointer instance on the server, as the official saver's own
 * validation run does it (a fresh schema each): one migrated database for the test file, and per instance a
 * schema holding copies of the migrated tables (`LIKE … INCLUDING ALL`: same columns, collations, keys),
 * reached through a pool whose `search_path` is that schema. A fresh database per instance would cost about
 * a second each (create, and above all drop), thirty times over.
 */
export interface ServerCheckpointerTables {
  /** A pool on the file's database whose unqualified checkpointer tables are new and empty. */
  create(): Promise<Database>;
  /** Close that pool (its schema goes with the database in `dispose()`). */
  release(database: Database): Promise<void>;
  dispose(): Promise<void>;
}

const CHECKPOINTER_TABLES = [threadCheckpoints, threadCheckpointBlobs, threadCheckpointWrites];

export async function serverCheckpointerTables(): Promise<ServerCheckpointerTables> {
  const created = await createServerDatabase();
  const main = await openDatabase(created.url, { max: 4 });
  try {
    await migrate(main);
  } catch (error) {
    await main.close();
    await created.drop();
    throw error;
  }
  // Schemas stay until the database is dropped at the end: one DROP DATABASE beats thirty DROP SCHEMAs.
  const open = new Set<Database>();
  return {
    async create() {
      const schema = `ckpt_${randomBytes(6).toString("hex")}`;
      // One statement: CREATE SCHEMA takes the CREATE TABLEs as its elements.
      const tables = CHECKPOINTER_TABLES.map((table) => {
        const name = sql.identifier(getTableName(table));
        return sql`create table ${name} (like public.${name} including all)`;
      });
      await main.db.execute(sql`create schema ${sql.identifier(schema)} ${sql.join(tables, sql` `)}`);
      const url = new URL(created.url);
      url.searchParams.set("search_path", schema);
      const database = await openDatabase(url.toString(), { max: 4 });
      open.add(database);
      return database;
    },
    async release(database) {
      open.delete(database);
      await database.close();
    },
    async dispose() {
      await Promise.all([...open].map((d) => d.close()));
      await main.close();
      await created.drop();
    },
  };
}
