import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PgliteThread, PgliteThreadError } from "./pglite-thread.js";

/**
 * The embedded database's worker thread, through the interface drizzle uses. The whole PGlite test suite
 * runs on it as well (every `memory://` database is one); these are the parts the proxy itself adds.
 */
let pg: PgliteThread;
beforeAll(async () => {
  pg = await PgliteThread.open();
  await pg.exec("create table items (id int primary key, name text not null, at timestamptz)");
});
afterAll(async () => {
  await pg?.close();
});

describe("PgliteThread", () => {
  it("runs parameterized queries and returns rows, in object or array mode", async () => {
    await pg.query("insert into items values ($1, $2, $3)", [1, "one", "2024-01-02T03:04:05Z"]);
    const objects = await pg.query<{ id: number; name: string }>(
      "select id, name from items where id = $1",
      [1],
    );
    expect(objects.rows).toEqual([{ id: 1, name: "one" }]);
    const arrays = await pg.query<unknown[]>("select id, name from items", [], { rowMode: "array" });
    expect(arrays.rows).toEqual([[1, "one"]]);
  });

  it("keeps date and time text when drizzle's parsers ask for it, and refuses parsers it cannot carry", async () => {
    const keep = (value: string) => value;
    const kept = await pg.query<{ at: unknown }>("select at from items where id = 1", [], {
      parsers: { 1184: keep },
    });
    expect(typeof kept.rows[0]?.at).toBe("string");
    const parsed = await pg.query<{ at: unknown }>("select at from items where id = 1");
    expect(parsed.rows[0]?.at).toBeInstanceOf(Date);
    await expect(
      pg.query("select 1", [], { parsers: { 1184: (value: string) => new Date(value) } }),
    ).rejects.toThrow(/only text-keeping parsers/);
  });

  it("raises a query's error with its SQLSTATE", async () => {
    const error = await pg.query("insert into items values (1, 'again', null)").catch((e: unknown) => e);
    expect(error).toBeInstanceOf(PgliteThreadError);
    expect((error as { code?: string }).code).toBe("23505");
    expect((error as Error).message).toMatch(/duplicate key/);
  });

  it("commits a transaction that resolves and rolls back one that throws", async () => {
    await pg.transaction(async (tx) => {
      await tx.query("insert into items values (2, 'two', null)");
    });
    await expect(
      pg.transaction(async (tx) => {
        await tx.query("insert into items values (3, 'three', null)");
        throw new Error("changed my mind");
      }),
    ).rejects.toThrow("changed my mind");
    const ids = await pg.query<{ id: number }>("select id from items order by id");
    expect(ids.rows.map((r) => r.id)).toEqual([1, 2]);
  });

  it("keeps a transaction's writes from a query outside it until it commits", async () => {
    let release: () => void = () => {};
    const held = new Promise<void>((resolve) => {
      release = resolve;
    });
    const transaction = pg.transaction(async (tx) => {
      await tx.query("insert into items values (4, 'four', null)");
      await held;
    });
    // PGlite has one session: the outside query waits for the transaction, then sees its row.
    const outside = pg.query<{ n: number }>("select count(*)::int as n from items where id = 4");
    release();
    await transaction;
    expect((await outside).rows[0]?.n).toBe(1);
  });

  it("dumps its data directory, and a new thread opens the dump with the same rows", async () => {
    const dump = await pg.dumpDataDir();
    const copy = await PgliteThread.open({ loadDataDir: dump });
    try {
      const ids = await copy.query<{ id: number }>("select id from items order by id");
      expect(ids.rows.map((r) => r.id)).toEqual([1, 2, 4]);
    } finally {
      await copy.close();
    }
  });

  it("refuses calls after close with a clear error", async () => {
    const short = await PgliteThread.open();
    await short.close();
    await expect(short.query("select 1")).rejects.toThrow(/thread exited/);
  });
});
