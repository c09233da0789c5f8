import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, createTestDatabase, serverTestUrl } from "../../../test/support/database.js";
import { type Database, openDatabase, queryRows, sqlStateOf } from "../../db/client.js";
import { migrate } from "../../db/migrate.js";
import type { AuditFields } from "./chain.js";
import { verifyAuditChain } from "./verify.js";
import { createAuditWriter } from "./writer.js";

const entry = (actor: string, n: number): AuditFields => ({
  at: new Date(),
  tenantId: "acme",
  actor,
  role: "marketer",
  method: "leads.get",
  target: `lead:${n}`,
  result: n % 7 === 0 ? "denied" : "ok",
  requestId: `${actor}-${n}`,
});

/** The audit chain on one backend: `open` gives two handles on one database (two replicas on a server). */
function auditContract(
  name: string,
  open: () => Promise<{ a: Database; b: Database; dispose(): Promise<void> }>,
) {
  describe(`audit chain on ${name}`, () => {
    let a: Database;
    let b: Database;
    let dispose: () => Promise<void>;
    beforeAll(async () => {
      ({ a, b, dispose } = await open());
    });
    afterAll(() => dispose());

    it("keeps one unforked chain when two writers append concurrently", async () => {
      const first = createAuditWriter(a.db, { batchSize: 25 });
      const second = createAuditWriter(b.db, { batchSize: 25 });
      for (let n = 0; n < 300; n++) {
        first.record(entry("alice", n));
        second.record(entry("bob", n));
        if (n % 50 === 0) await new Promise((resolve) => setImmediate(resolve));
      }
      await Promise.all([first.close(), second.close()]);
      const report = await verifyAuditChain(a.db, { pageSize: 97 });
      expect(report).toMatchObject({ ok: true, checked: 600 });
      const [row] = await queryRows<{ heads: number }>(
        a.db,
        sql`select count(*)::int as heads from audit_log l where not exists
              (select 1 from audit_log n where n.prev_hash = l.hash)`,
      );
      expect(row?.heads).toBe(1);
    });

    it("refuses UPDATE and DELETE: the table is append-only", async () => {
      const update = await a.db
        .execute(sql`update audit_log set actor = 'mallory' where id = 1`)
        .catch((e) => e);
      expect(sqlStateOf(update)).toBe("42501");
      const remove = await a.db.execute(sql`delete from audit_log where id = 1`).catch((e) => e);
      expect(sqlStateOf(remove)).toBe("42501");
    });

    it("reports the first broken link when a row is tampered with behind the trigger's back", async () => {
      await a.db.execute(sql`alter table audit_log disable trigger audit_log_append_only`);
      try {
        const [original] = await queryRows<{ result: string }>(
          a.db,
          sql`select result from audit_log where id = 120`,
        );
        await a.db.execute(sql`update audit_log set result = 'error' where id = 120`);
        expect(await verifyAuditChain(a.db)).toMatchObject({
          ok: false,
          checked: 120,
          firstBroken: { id: 120, problem: "hash_mismatch" },
        });
        await a.db.execute(sql`update audit_log set result = ${original!.result} where id = 120`);
        expect((await verifyAuditChain(a.db)).ok).toBe(true);
        await a.db.execute(sql`delete from audit_log where id = 300`);
        expect(await verifyAuditChain(a.db)).toMatchObject({
          ok: false,
          firstBroken: { id: 301, problem: "prev_hash_mismatch" },
        });
      } finally {
        await a.db.execute(sql`alter table audit_log enable trigger audit_log_append_only`);
      }
    });
  });
}

auditContract("PGlite", async () => {
  const database = await createTestDatabase();
  // PGlite is one in-process connection: two writers on it still race through the same lock code.
  return { a: database, b: database, dispose: () => database.close() };
});

describe.skipIf(serverTestUrl() === undefined)("on a server", () => {
  auditContract("PostgreSQL (two connection pools)", async () => {
    const created = await createServerDatabase();
    const a = await openDatabase(created.url, { max: 3 });
    await migrate(a);
    const b = await openDatabase(created.url, { max: 3 });
    return {
      a,
      b,
      dispose: async () => {
        await Promise.all([a.close(), b.close()]);
        await created.drop();
      },
    };
  });
});
