import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import { type Database, queryRows } from "../../db/client.js";
import { keyringFromFile } from "../../db/pii/keyring.js";
import { attachPii, piiOf } from "../../db/pii/registry.js";
import { threadKey } from "../../graph/runner.js";
import { createMarketingSystem, type MarketingSystem } from "../../index.js";
import { EncryptingSerializer } from "./encrypting-serde.js";
import { rotateCheckpointKeys } from "./rotate-keys.js";
import { PostgresCheckpointSaver } from "./saver.js";

/** The thread's latest state as the checkpointer reads it with the database's current keys. */
async function stateOf(database: Database, threadId: string): Promise<string> {
  const saver = new PostgresCheckpointSaver(database.db, {
    serde: new EncryptingSerializer(piiOf(database.db)),
  });
  const tuple = await saver.getTuple({ configurable: { thread_id: threadKey("default", threadId) } });
  return JSON.stringify(tuple?.checkpoint.channel_values ?? null);
}

const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const ring = (active: string, keys: Record<string, string>) =>
  keyringFromFile({ active, keys, indexKey: key(9) }, "config");

describe("thread state sealed at rest", () => {
  let database: Database | undefined;
  let system: MarketingSystem | undefined;
  afterEach(async () => {
    await system?.close();
    await database?.close();
    system = database = undefined;
  });

  it("stores checkpoint values as ciphertext, reads them back, and rotates them to a new key", async () => {
    database = await createTestDatabase();
    system = await createMarketingSystem({
      database,
      pii: ring("k1", { k1: key(1) }),
      approvalPolicy: "never",
    });
    const lead = {
      name: "Ada Lovelace",
      email: "ada@example.com",
      company: "Analytical Engines",
      totalVisits: 9,
    };
    const { threadId } = await system.threads.run({ input: { lead } });

    const rows = await queryRows<{ type: string; blob: Uint8Array | null }>(
      database.db,
      sql`select type, blob from thread_checkpoint_blobs union all select type, blob from thread_checkpoint_writes`,
    );
    const valued = rows.filter((r) => r.blob !== null);
    expect(valued.length).toBeGreaterThan(3);
    for (const row of valued) {
      expect(row.type).toMatch(/^pii1\.k1\./);
      expect(Buffer.from(row.blob!).toString("latin1")).not.toMatch(/ada@example|Lovelace/);
    }
    expect(await stateOf(database, threadId)).toContain("ada@example.com");

    attachPii(database.db, ring("k2", { k1: key(1), k2: key(2) }));
    const rotated = await rotateCheckpointKeys(database.db, { batchSize: 5 });
    expect(rotated.rewritten).toBe(valued.length);
    expect(await rotateCheckpointKeys(database.db)).toEqual({ rewritten: 0 });
    attachPii(database.db, ring("k2", { k2: key(2) }));
    expect(await stateOf(database, threadId)).toContain("ada@example.com");
  }, 60_000);

  it("memory.forget finds and erases sealed threads about the person", async () => {
    database = await createTestDatabase();
    system = await createMarketingSystem({
      database,
      pii: ring("k1", { k1: key(1) }),
      approvalPolicy: "never",
    });
    const kept = await system.threads.run({ input: { lead: { name: "Grace", email: "grace@example.com" } } });
    const gone = await system.threads.run({ input: { lead: { name: "Ada", email: "ada@example.com" } } });
    const report = await system.memory.forget({ email: "ada@example.com" });
    expect(report.erased.threads).toBe(1);
    expect(await stateOf(database, kept.threadId)).toContain("grace@example.com");
    expect(await stateOf(database, gone.threadId)).toBe("null");
  }, 60_000);
});
