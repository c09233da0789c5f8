import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { databaseBackends } from "../../../test/support/database.js";
import { type Database, queryRows } from "../client.js";
import { appendRunEvent, runEventsAfter } from "../runs.js";
import { keyringFromFile } from "./keyring.js";
import { attachPii } from "./registry.js";
import { encryptLegacyRows, rotateRunEventKeys } from "./rotate.js";

const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const ring = (active: string, keys: Record<string, string>) =>
  keyringFromFile({ active, keys, indexKey: key(9) }, "config");

const update = {
  node: "triage",
  values: { lead: { name: "Ada Lovelace", email: "ada.lovelace@example.com" }, score: 0.91 },
};

describe.each(databaseBackends())("run events at rest ($name)", ({ open }) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setUp() {
    database = await open();
    attachPii(database.db, ring("k1", { k1: key(1) }));
    const [run] = await queryRows<{ id: string }>(
      database.db,
      sql`insert into runs (tenant_id, thread_id, status, multitask)
          values ('t1', 'thread-1', 'success', 'reject') returning id`,
    );
    return { db: database, runId: run!.id };
  }
  const stored = (db: Database, runId: string) =>
    queryRows<{ seq: number; kind: string; text: string }>(
      db.db,
      sql`select seq, jsonb_typeof(data) as kind, data #>> '{}' as text from run_events
          where run_id = ${runId} order by seq`,
    );

  it("a raw SELECT shows one ciphertext string per event; reading it back gives the event", async () => {
    const { db, runId } = await setUp();
    await appendRunEvent(db.db, { runId, seq: 1, type: "update", data: update });
    await appendRunEvent(db.db, { runId, seq: 2, type: "token", data: "Hi Ada" });

    const rows = await stored(db, runId);
    expect(rows.map((r) => r.kind)).toEqual(["string", "string"]);
    for (const row of rows) {
      expect(row.text).toMatch(/^pii1\.k1\./);
      expect(row.text).not.toMatch(/Lovelace|ada\.lovelace|Hi Ada/);
    }
    const events = await runEventsAfter(db.db, runId, 0);
    expect(events.map((e) => [e.seq, e.type, e.data])).toEqual([
      [1, "update", update],
      [2, "token", "Hi Ada"],
    ]);
    expect((await runEventsAfter(db.db, runId, 1)).map((e) => e.seq)).toEqual([2]);
  });

  it("the database refuses an event written in plaintext by any other path", async () => {
    const { db, runId } = await setUp();
    await expect(
      db.db.execute(
        sql`insert into run_events (run_id, seq, type, data) values (${runId}, 1, 'update', ${JSON.stringify(update)}::jsonb)`,
      ),
    ).rejects.toThrow();
  });

  it("rotate-keys moves events to the new key; the old key can then go", async () => {
    const { db, runId } = await setUp();
    await appendRunEvent(db.db, { runId, seq: 1, type: "update", data: update });
    attachPii(db.db, ring("k2", { k1: key(1), k2: key(2) }));
    expect(await rotateRunEventKeys(db.db)).toEqual({ scanned: 1, rewritten: 1 });
    expect((await stored(db, runId))[0]?.text).toMatch(/^pii1\.k2\./);
    attachPii(db.db, ring("k2", { k2: key(2) }));
    expect((await runEventsAfter(db.db, runId, 0))[0]?.data).toEqual(update);
    expect(await rotateRunEventKeys(db.db)).toEqual({ scanned: 1, rewritten: 0 });
  });

  it("events an older version stored in plaintext are encrypted at startup, then the check is validated", async () => {
    const { db, runId } = await setUp();
    await db.db.execute(sql`alter table run_events drop constraint run_events_pii_ciphertext_check`);
    await db.db.execute(
      sql`insert into run_events (run_id, seq, type, data) values (${runId}, 1, 'update', ${JSON.stringify(update)}::jsonb)`,
    );
    await db.db.execute(sql`alter table run_events add constraint run_events_pii_ciphertext_check
      check (jsonb_typeof(data) = 'string' and (data #>> '{}') like 'pii1.%') not valid`);
    // Readable as it is before the rewrite.
    expect((await runEventsAfter(db.db, runId, 0))[0]?.data).toEqual(update);

    const report = await encryptLegacyRows(db.db);

    expect(report.rewritten).toBeGreaterThanOrEqual(1);
    expect((await stored(db, runId))[0]?.text).toMatch(/^pii1\.k1\./);
    expect((await runEventsAfter(db.db, runId, 0))[0]?.data).toEqual(update);
    const [check] = await queryRows<{ validated: boolean }>(
      db.db,
      sql`select convalidated as validated from pg_constraint where conname = 'run_events_pii_ciphertext_check'`,
    );
    expect(check?.validated).toBe(true);
  });
});
