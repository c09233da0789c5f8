import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { and, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Database, queryRows, SqlState, sqlStateOf } from "../../src/db/client.js";
import {
  getLead,
  getLeads,
  LeadConflictError,
  listLeads,
  updateLeadTriage,
  upsertLead,
} from "../../src/db/leads.js";
import { appliedMigrations, MIGRATIONS_FOLDER, migrate } from "../../src/db/migrate.js";
import { emailIndex } from "../../src/db/pii/lead-fields.js";
import { piiOf } from "../../src/db/pii/registry.js";
import { leads, outcomeEvents } from "../../src/db/schema.js";

/**
 * The database contract: what the rest of the system relies on from `src/db`, run once per backend
 * (`src/db/pglite.int.test.ts`, `src/db/postgres.int.test.ts`), as drizzle's own pg-common suite is.
 */
export interface ContractBackend {
  /** Shown in test names, so the output says which backend ran. */
  name: string;
  /** A fresh, migrated database of its own; the suite closes it. */
  open(): Promise<Database>;
  /**
   * Two handles on one fresh, unmigrated database: separate connections (pools) on a server; on PGlite,
   * which is a single in-process connection, the same handle twice.
   */
  openUnmigratedPair(): Promise<{ handles: [Database, Database]; dispose(): Promise<void> }>;
}

async function journalLength(): Promise<number> {
  const journal = JSON.parse(await readFile(join(MIGRATIONS_FOLDER, "meta", "_journal.json"), "utf8")) as {
    entries: unknown[];
  };
  return journal.entries.length;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

export function databaseContract(backend: ContractBackend): void {
  describe(`database contract on ${backend.name}`, () => {
    describe("migrations and locks (fresh unmigrated database)", () => {
      let pair: Awaited<ReturnType<ContractBackend["openUnmigratedPair"]>>;
      let expected: number;

      beforeAll(async () => {
        pair = await backend.openUnmigratedPair();
        expected = await journalLength();
      });
      afterAll(async () => pair?.dispose());

      it("applies every migration exactly once when two migrate() calls race", async () => {
        expect(expected).toBeGreaterThanOrEqual(2);
        const [a, b] = pair.handles;
        expect(await appliedMigrations(a)).toBe(0);
        const results = await Promise.all([migrate(a), migrate(b)]);
        expect(results.map((r) => r.applied).sort()).toEqual([0, expected]);
        expect(await appliedMigrations(a)).toBe(expected);
        expect(await appliedMigrations(b)).toBe(expected);
      });

      it("is idempotent: a further run applies nothing and says so", async () => {
        const messages: string[] = [];
        expect(await migrate(pair.handles[1], { log: (m) => messages.push(m) })).toEqual({ applied: 0 });
        expect(messages).toHaveLength(1);
        expect(messages[0]).toContain("up to date");
        expect(await appliedMigrations(pair.handles[0])).toBe(expected);
      });

      it("withAdvisoryLock excludes concurrent holders of the same key and releases after a throw", async () => {
        const [a, b] = pair.handles;
        const key = 4242n;
        let inside = 0;
        let maxInside = 0;
        const order: string[] = [];
        const hold = (database: Database, label: string) =>
          database.withAdvisoryLock(key, async () => {
            inside++;
            maxInside = Math.max(maxInside, inside);
            order.push(`${label}:in`);
            await sleep(40);
            order.push(`${label}:out`);
            inside--;
            return label;
          });
        expect(await Promise.all([hold(a, "a"), hold(b, "b"), hold(a, "c")])).toEqual(["a", "b", "c"]);
        expect(maxInside).toBe(1);
        expect(order).toHaveLength(6);

        await expect(
          a.withAdvisoryLock(key, async () => {
            throw new Error("boom");
          }),
        ).rejects.toThrow("boom");
        // Released despite the throw: the other handle gets it at once.
        const acquired = await Promise.race([
          b.withAdvisoryLock(key, async () => "acquired"),
          sleep(5_000).then(() => "timed out"),
        ]);
        expect(acquired).toBe("acquired");
        const held = await queryRows<{ n: number }>(
          a.db,
          sql`select count(*)::int as n from pg_locks
              where locktype = 'advisory' and granted
                and database = (select oid from pg_database where datname = current_database())`,
        );
        expect(held[0]?.n).toBe(0);
      });

      it("rejects lock keys outside int64", async () => {
        await expect(pair.handles[0].withAdvisoryLock(2n ** 63n, async () => 1)).rejects.toThrow(/int64/);
        await expect(pair.handles[0].withAdvisoryLock(1.5, async () => 1)).rejects.toThrow(/integer/);
      });
    });

    describe("migrated database", () => {
      let database: Database;

      beforeAll(async () => {
        database = await backend.open();
      });
      afterAll(async () => database?.close());

      it("pings", async () => {
        await expect(database.ping()).resolves.toBeUndefined();
      });

      it("has pgvector: distance between vectors", async () => {
        const [row] = await queryRows<{ distance: number }>(
          database.db,
          sql`select '[1,2,3]'::vector <-> '[1,2,4]'::vector as distance`,
        );
        expect(Number(row?.distance)).toBe(1);
        const [cosine] = await queryRows<{ distance: number }>(
          database.db,
          sql`select '[1,0]'::vector <=> '[0,1]'::vector as distance`,
        );
        expect(Number(cosine?.distance)).toBeCloseTo(1, 10);
      });

      describe("leads", () => {
        const tenant = "tenant-a";
        const other = "tenant-b";

        it("upserts by email case-insensitively, keeping fields the update leaves out", async () => {
          const created = await upsertLead(database.db, tenant, {
            name: "Ann Lee",
            email: "Ann.Lee@Example.com",
            company: "Acme",
            totalVisits: 3,
            timeOnSite: 125.5,
          });
          expect(created).toMatchObject({
            tenantId: tenant,
            name: "Ann Lee",
            company: "Acme",
            totalVisits: 3,
            timeOnSite: 125.5,
            stage: "new",
            doNotEmail: false,
            score: null,
          });
          expect(created.createdAt).toBeInstanceOf(Date);

          const updated = await upsertLead(database.db, tenant, {
            email: "ann.lee@EXAMPLE.com",
            title: "CTO",
            totalVisits: 4,
          });
          expect(updated.id).toBe(created.id);
          expect(updated).toMatchObject({ name: "Ann Lee", company: "Acme", title: "CTO", totalVisits: 4 });
          expect(updated.createdAt.getTime()).toBe(created.createdAt.getTime());
          expect(updated.updatedAt.getTime()).toBeGreaterThanOrEqual(created.updatedAt.getTime());

          const stored = await getLead(database.db, tenant, created.id);
          expect(stored).toMatchObject({ id: created.id, title: "CTO", totalVisits: 4 });
          const rows = await database.db
            .select()
            .from(leads)
            .where(
              and(
                eq(leads.tenantId, tenant),
                eq(leads.emailBidx, emailIndex(piiOf(database.db), tenant, "ann.lee@example.com")),
              ),
            );
          expect(rows).toHaveLength(1);
        });

        it("converges concurrent upserts of one new email on one lead", async () => {
          const spellings = ["race@example.com", "Race@example.com", "RACE@example.com", "race@EXAMPLE.com"];
          const results = await Promise.all(
            spellings.map((email, i) => upsertLead(database.db, tenant, { email, totalVisits: i })),
          );
          expect(new Set(results.map((r) => r.id)).size).toBe(1);
          const rows = await database.db
            .select()
            .from(leads)
            .where(
              and(
                eq(leads.tenantId, tenant),
                eq(leads.emailBidx, emailIndex(piiOf(database.db), tenant, "race@example.com")),
              ),
            );
          expect(rows).toHaveLength(1);
        });

        it("isolates tenants: same email is another lead, ids do not cross", async () => {
          const mine = await upsertLead(database.db, tenant, { email: "shared@example.com", name: "Mine" });
          const theirs = await upsertLead(database.db, other, {
            email: "SHARED@example.com",
            name: "Theirs",
          });
          expect(theirs.id).not.toBe(mine.id);
          expect(await getLead(database.db, other, mine.id)).toBeNull();
          expect((await getLead(database.db, tenant, mine.id))?.name).toBe("Mine");
          expect(
            await updateLeadTriage(database.db, other, mine.id, { score: 0.9, class: "hot" }),
          ).toBeNull();
          const listed = await listLeads(database.db, other);
          expect(listed.map((l) => l.id)).toEqual([theirs.id]);

          // Upserting another tenant's id must neither update it nor reveal it.
          const error = await upsertLead(database.db, other, { id: mine.id, name: "Hijack" }).catch((e) => e);
          expect(error).toBeInstanceOf(LeadConflictError);
          expect(error.code).toBe("id_taken");
          expect((await getLead(database.db, tenant, mine.id))?.name).toBe("Mine");
        });

        it("reads leads by id in bulk: only the tenant's, decrypted, skipping unknown and malformed ids", async () => {
          const created = [];
          for (let i = 0; i < 3; i++) {
            created.push(
              await upsertLead(database.db, tenant, { email: `bulk${i}@example.com`, name: `Bulk ${i}` }),
            );
          }
          const foreign = await upsertLead(database.db, other, {
            email: "bulk-other@example.com",
            name: "Other",
          });
          const ids = [
            ...created.map((l) => l.id),
            created[0]!.id,
            foreign.id,
            "not-a-uuid",
            crypto.randomUUID(),
          ];
          const found = await getLeads(database.db, tenant, ids);
          expect(found.map((l) => l.id).sort()).toEqual(created.map((l) => l.id).sort());
          expect(found.map((l) => l.name).sort()).toEqual(["Bulk 0", "Bulk 1", "Bulk 2"]);
          expect(await getLeads(database.db, tenant, [])).toEqual([]);
        });

        it("upserts by id: creates with that id, then updates it", async () => {
          const id = "0b9c6f4e-6a57-4f0e-9d2c-3f1d2a4b5c6d";
          const created = await upsertLead(database.db, tenant, { id, name: "By Id", source: "csv" });
          expect(created.id).toBe(id);
          const updated = await upsertLead(database.db, tenant, {
            id,
            notes: "called back",
            doNotEmail: true,
          });
          expect(updated).toMatchObject({
            id,
            name: "By Id",
            source: "csv",
            notes: "called back",
            doNotEmail: true,
          });
        });

        it("refuses an id upsert that would take another lead's email", async () => {
          await upsertLead(database.db, tenant, { email: "taken@example.com", name: "First" });
          const error = await upsertLead(database.db, tenant, {
            id: "7e0f2a41-5b7c-4c1d-8e9f-0a1b2c3d4e5f",
            email: "Taken@example.com",
          }).catch((e) => e);
          expect(error).toBeInstanceOf(LeadConflictError);
          expect(error.code).toBe("email_taken");
          expect(sqlStateOf(error.cause)).toBe(SqlState.UniqueViolation);
        });

        it("inserts name-only leads as new leads every time", async () => {
          const a = await upsertLead(database.db, tenant, { name: "No Email" });
          const b = await upsertLead(database.db, tenant, { name: "No Email" });
          expect(a.id).not.toBe(b.id);
          expect(a.email).toBeNull();
        });

        it("records triage results and lists newest first with paging", async () => {
          const lead = await upsertLead(database.db, tenant, {
            name: "Triage Me",
            email: "triage@example.com",
          });
          const triaged = await updateLeadTriage(database.db, tenant, lead.id, {
            score: 0.82,
            class: "hot",
            stage: "triaged",
          });
          expect(triaged).toMatchObject({ score: expect.closeTo(0.82, 5), class: "hot", stage: "triaged" });
          expect(await getLead(database.db, tenant, "not-a-uuid")).toBeNull();
          expect(
            await updateLeadTriage(database.db, tenant, "4d3c2b1a-0000-4000-8000-000000000000", {
              score: 1,
              class: "hot",
            }),
          ).toBeNull();

          const all = await listLeads(database.db, tenant, { limit: 500 });
          expect(all[0]?.id).toBe(lead.id);
          const times = all.map((l) => l.createdAt.getTime());
          expect(times).toEqual([...times].sort((x, y) => y - x));
          const page = await listLeads(database.db, tenant, { limit: 2, offset: 1 });
          expect(page.map((l) => l.id)).toEqual(all.slice(1, 3).map((l) => l.id));
          await expect(listLeads(database.db, tenant, { limit: 0 })).rejects.toThrow();
        });
      });

      describe("outcome events", () => {
        it("records an idempotency key once per tenant", async () => {
          const lead = await upsertLead(database.db, "tenant-o", { email: "outcome@example.com" });
          const event = {
            tenantId: "tenant-o",
            idempotencyKey: "msg-1:opened",
            leadId: lead.id,
            event: "opened",
          } as const;
          const first = await database.db
            .insert(outcomeEvents)
            .values(event)
            .onConflictDoNothing()
            .returning();
          expect(first).toHaveLength(1);
          const again = await database.db
            .insert(outcomeEvents)
            .values({ ...event, event: "clicked" })
            .onConflictDoNothing()
            .returning();
          expect(again).toEqual([]);
          const strict = await database.db
            .insert(outcomeEvents)
            .values(event)
            .catch((e) => e);
          expect(sqlStateOf(strict)).toBe(SqlState.UniqueViolation);

          const otherLead = await upsertLead(database.db, "tenant-p", { email: "outcome@example.com" });
          const otherTenant = await database.db
            .insert(outcomeEvents)
            .values({ ...event, tenantId: "tenant-p", leadId: otherLead.id })
            .onConflictDoNothing()
            .returning();
          expect(otherTenant).toHaveLength(1);

          const stored = await database.db
            .select()
            .from(outcomeEvents)
            .where(eq(outcomeEvents.tenantId, "tenant-o"));
          expect(stored.map((e) => e.event)).toEqual(["opened"]);
        });

        it("rejects unknown events and cascades lead deletion", async () => {
          const lead = await upsertLead(database.db, "tenant-q", { email: "cascade@example.com" });
          const bad = await database.db
            .execute(
              sql`insert into outcome_events (tenant_id, idempotency_key, lead_id, event)
                  values ('tenant-q', 'k-bad', ${lead.id}, 'teleported')`,
            )
            .catch((e) => e);
          expect(sqlStateOf(bad)).toBe(SqlState.CheckViolation);

          await database.db
            .insert(outcomeEvents)
            .values({ tenantId: "tenant-q", idempotencyKey: "k-1", leadId: lead.id, event: "sent" });
          await database.db.delete(leads).where(eq(leads.id, lead.id));
          const left = await database.db
            .select()
            .from(outcomeEvents)
            .where(eq(outcomeEvents.leadId, lead.id));
          expect(left).toEqual([]);
        });
      });
    });
  });
}
