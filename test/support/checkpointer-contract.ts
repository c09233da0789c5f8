import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { type Database, type Db, openDatabase } from "../../src/db/client.js";
import { migrate } from "../../src/db/migrate.js";
import {
  threadCheckpointBlobs,
  threadCheckpoints,
  threadCheckpointWrites,
} from "../../src/memory/checkpointer/checkpointer.schema.js";
import { createServerDatabase, serverTestUrl } from "./database.js";

/** Remove every row the checkpointer keeps, in one statement. */
export async function emptyCheckpointTables(db: Db): Promise<void> {
  await db.execute(sql`
    with a as (delete from ${threadCheckpointBlobs}), b as (delete from ${threadCheckpointWrites})
    delete from ${threadCheckpoints}`);
}

/**
 * Fresh migrated server databases, many of them and fast: one database is migrated once and closed, and
 * each `create()` clones it (`CREATE DATABASE … TEMPLATE`, ~0.2 s, where migrating anew takes several
 * times that). Dropping a database costs more than creating one, so drops wait for `dispose()` and run
 * together.
 */
export interface ServerDatabaseFactory {
  create(): Promise<Database>;
  /** Close one database's connections now; the database itself is dropped by `dispose()`. */
  release(database: Database): Promise<void>;
  dispose(): Promise<void>;
}

export async function serverDatabaseFactory(): Promise<ServerDatabaseFactory> {
  const baseUrl = serverTestUrl();
  if (baseUrl === undefined) throw new Error("TEST_DATABASE_URL is not set");
  const template = await createServerDatabase();
  try {
    // A template must have no connections while it is copied: migrate it, then close that pool.
    const migrating = await openDatabase(template.url, { max: 2 });
    try {
      await migrate(migrating);
    } finally {
      await migrating.close();
    }
  } catch (error) {
    await template.drop();
    throw error;
  }
  const admin = await openDatabase(baseUrl, { max: 4 });
  const clones: string[] = [];
  const open = new Set<Database>();
  return {
    async create() {
      const name = `test_${randomBytes(6).toString("hex")}`;
      await admin.db.execute(
        sql`create database ${sql.identifier(name)} template ${sql.identifier(template.name)}`,
      );
      clones.push(name);
      const url = new URL(baseUrl);
      url.pathname = `/${name}`;
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
      await Promise.all(
        clones.map((name) =>
          admin.db.execute(sql`drop database if exists ${sql.identifier(name)} with (force)`),
        ),
      );
      await admin.close();
      await template.drop();
    },
  };
}
