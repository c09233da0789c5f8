import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { type Database, queryRows } from "../db/client.js";
import { outboxKeyOf, threadKeyOfOutboxKey } from "./outbox-key.js";

let database: Database;
beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(async () => {
  await database?.close();
});

describe("outbox idempotency keys", () => {
  it("give back, in SQL, the thread key they were built from, colons in it included", async () => {
    for (const [thread, step] of [
      ["acme:lead-42", 0],
      ["t:a:b:c", 17],
      ["9f1c0e4e-6a51-4d9b-a7a0-8d2f4c6b1e20", 3],
    ] as const) {
      const key = outboxKeyOf(thread, step);
      const [row] = await queryRows<{ thread: string }>(
        database.db,
        sql`select ${threadKeyOfOutboxKey(sql`${key}::text`)} as thread`,
      );
      expect(row?.thread).toBe(thread);
    }
  });

  it("differ by step, so each send of a thread is queued once", () => {
    expect(outboxKeyOf("acme:lead-42", 1)).not.toBe(outboxKeyOf("acme:lead-42", 2));
    expect(outboxKeyOf("acme:lead-42", 2)).toBe(outboxKeyOf("acme:lead-42", 2));
  });
});
