import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, serverTestUrl } from "../../test/support/database.js";
import { type Database, openDatabase, queryRows } from "./client.js";

const url = serverTestUrl();

async function backendPid(database: Database): Promise<number> {
  const [row] = await queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid`);
  return row?.pid ?? -1;
}

describe.skipIf(url === undefined)("LIFO connection pool (PostgreSQL server)", () => {
  let created: Awaited<ReturnType<typeof createServerDatabase>>;

  beforeAll(async () => {
    created = await createServerDatabase();
  });
  afterAll(async () => {
    await created?.drop();
  });

  async function withDatabase<T>(max: number, fn: (database: Database) => Promise<T>): Promise<T> {
    const database = await openDatabase(created.url, { max });
    try {
      return await fn(database);
    } finally {
      await database.close();
    }
  }

  it("after a burst opened every connection, sequential queries stay on the one used last", async () => {
    await withDatabase(6, async (database) => {
      const burst = await Promise.all(
        Array.from({ length: 12 }, () =>
          queryRows<{ pid: number }>(database.db, sql`select pg_backend_pid() as pid, pg_sleep(0.05)`),
        ),
      );
      // postgres.js rotates sequential queries over all six; the pool must not.
      expect(new Set(burst.map((rows) => rows[0]?.pid)).size).toBe(6);
      const sequential = new Set<number>();
      for (let i = 0; i < 30; i++) sequential.add(await backendPid(database));
      expect(sequential.size).toBe(1);
    });
  });

  it("answers many concurrent queries correctly on at most max connections", async () => {
    await withDatabase(3, async (database) => {
      const results = await Promise.all(
        Array.from({ length: 60 }, (_, i) =>
          queryRows<{ n: number; pid: number }>(
            database.db,
            sql`select ${i}::int as n, pg_backend_pid() as pid`,
          ),
        ),
      );
      expect(results.map((rows) => rows[0]?.n)).toEqual(Array.from({ length: 60 }, (_, i) => i));
      expect(new Set(results.map((rows) => rows[0]?.pid)).size).toBeLessThanOrEqual(3);
    });
  });

  it("keeps other queries out of an open transaction, and rolls it back whole", async () => {
    await withDatabase(2, async (database) => {
      await database.db.execute(sql`create table if not exists lifo_tx (n int)`);
      let release: () => void = () => {};
      const gate = new Promise<void>((resolve) => {
        release = resolve;
      });
      const transaction = database.db
        .transaction(async (tx) => {
          await tx.execute(sql`insert into lifo_tx values (1)`);
          await gate;
          throw new Error("roll back");
        })
        .catch((error: Error) => error.message);
      // Issued while the transaction is open: it must run on the other connection and not see the row.
      await new Promise((resolve) => setTimeout(resolve, 50));
      const during = await queryRows<{ c: number }>(database.db, sql`select count(*)::int as c from lifo_tx`);
      release();
      expect(await transaction).toBe("roll back");
      const after = await queryRows<{ c: number }>(database.db, sql`select count(*)::int as c from lifo_tx`);
      expect(during[0]?.c).toBe(0);
      expect(after[0]?.c).toBe(0);
    });
  });

  it("a query waits for the first connection to free when every one is held, and does not deadlock", async () => {
    await withDatabase(2, async (database) => {
      const order: string[] = [];
      // One connection pinned by the advisory lock, the other by a transaction inside it.
      const held = database.withAdvisoryLock(4242, async () => {
        await database.db.transaction(async (tx) => {
          const waiting = queryRows<{ one: number }>(database.db, sql`select 1 as one`).then((rows) => {
            order.push("query");
            return rows;
          });
          await new Promise((resolve) => setTimeout(resolve, 100));
          await tx.execute(sql`select 1`);
          order.push("transaction");
          // Not awaited inside: the query can only run once the transaction has let its connection go.
          void waiting;
        });
      });
      await held;
      await new Promise((resolve) => setTimeout(resolve, 20));
      expect(order).toEqual(["transaction", "query"]);
    });
  });

  it("a query waiting for a connection is never handed one a transaction holds (no self-deadlock)", async () => {
    await withDatabase(2, async (database) => {
      const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
      // Both connections busy; then a lock and a transaction each claim one, waiting for its query.
      // queryRows, not a bare db.execute: drizzle's query objects start only when awaited.
      const first = queryRows(database.db, sql`select pg_sleep(0.5)`);
      const second = queryRows(database.db, sql`select pg_sleep(0.2)`);
      await pause(20);
      const lock = database.withAdvisoryLock(99, () => pause(300));
      let waiting: Promise<unknown> = Promise.resolve();
      const transaction = database.db.transaction(async (tx) => {
        await tx.execute(sql`select 1`);
        // Issued while every connection was claimed; the transaction cannot end before it is answered.
        return waiting;
      });
      await pause(20);
      waiting = queryRows(database.db, sql`select 1 as one`);
      // When `second` ends, its connection is the transaction's: the waiting query must not be put there.
      const timeout = new Promise<"deadlock">((resolve) => setTimeout(() => resolve("deadlock"), 5_000));
      const outcome = await Promise.race([Promise.all([first, second, lock, transaction]), timeout]);
      expect(outcome).not.toBe("deadlock");
    });
  });

  it("reserve() gives a pinned connection and takes it out of rotation until released", async () => {
    await withDatabase(2, async (database) => {
      const pids = await database.withAdvisoryLock(7, async () => {
        const seen = new Set<number>();
        for (let i = 0; i < 10; i++) seen.add(await backendPid(database));
        return seen;
      });
      expect(pids.size).toBe(1);
      // The lock was released: another handle can take it at once.
      await withDatabase(2, (other) => other.withAdvisoryLock(7, async () => "taken"));
    });
  });

  it("closes every connection on close", async () => {
    const database = await openDatabase(created.url, { max: 3 });
    await Promise.all(Array.from({ length: 3 }, () => database.db.execute(sql`select pg_sleep(0.05)`)));
    await database.close();
    const admin = await openDatabase(created.url, { max: 2 });
    try {
      // A backend leaves pg_stat_activity a moment after its client hung up: poll briefly.
      let others = -1;
      for (let attempt = 0; attempt < 40 && others !== 0; attempt++) {
        if (attempt > 0) await new Promise((resolve) => setTimeout(resolve, 50));
        const [row] = await queryRows<{ c: number }>(
          admin.db,
          sql`select count(*)::int as c from pg_stat_activity
              where datname = current_database() and pid <> pg_backend_pid()`,
        );
        others = row?.c ?? -1;
      }
      expect(others).toBe(0);
    } finally {
      await admin.close();
    }
  });
});
