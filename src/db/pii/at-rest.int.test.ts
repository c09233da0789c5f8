import { sql } from "drizzle-orm";
import { afterEach, describe, expect, it } from "vitest";
import {
  createServerTestDatabase,
  createTestDatabase,
  serverTestUrl,
} from "../../../test/support/database.js";
import { searchLeadRows } from "../../mcp/crm/sql.js";
import { type Database, queryRows } from "../client.js";
import { findLeadByEmail, getLead, upsertLead } from "../leads.js";
import { enqueueOutbox, outboxFor } from "../runs.js";
import { keyringFromFile } from "./keyring.js";
import { attachPii } from "./registry.js";
import { encryptLegacyRows, rotateLeadKeys, rotateOutboxKeys } from "./rotate.js";

const key = (byte: number) => Buffer.alloc(32, byte).toString("base64");
const ring = (active: string, keys: Record<string, string>, indexKey = key(9)) =>
  keyringFromFile({ active, keys, indexKey }, "config");

const engines: [string, () => Promise<Database>][] = [["PGlite", createTestDatabase]];
if (serverTestUrl()) engines.push(["PostgreSQL server", () => createServerTestDatabase()]);

describe.each(engines)("personal data at rest on %s", (_engine, open) => {
  let database: Database | undefined;
  afterEach(async () => {
    await database?.close();
    database = undefined;
  });

  async function setUp(): Promise<Database> {
    database = await open();
    attachPii(database.db, ring("k1", { k1: key(1) }));
    return database;
  }

  const raw = (db: Database, id: string) =>
    queryRows<{ name: string; email: string; notes: string; company: string }>(
      db.db,
      sql`select name, email, notes, company from leads where id = ${id}`,
    ).then((rows) => rows[0]!);

  it("a raw SELECT shows ciphertext; the API shows plaintext; email lookups ignore case", async () => {
    const db = await setUp();
    const lead = await upsertLead(db.db, "t1", {
      name: "Ada Lovelace",
      email: "Ada@Example.com",
      notes: "Asked about pricing for 40 seats",
      company: "Analytical Engines",
    });
    expect(lead).toMatchObject({ name: "Ada Lovelace", email: "Ada@Example.com" });
    const row = await raw(db, lead.id);
    for (const field of ["name", "email", "notes"] as const) {
      expect(row[field]).toMatch(/^pii1\.k1\./);
      // Whole words only: short ones like "ada" turn up in random base64 by chance.
      for (const plain of ["Lovelace", "Ada@Example.com", "pricing for 40"])
        expect(row[field]).not.toContain(plain);
    }
    expect(row.company).toBe("Analytical Engines");
    expect((await getLead(db.db, "t1", lead.id))?.notes).toBe("Asked about pricing for 40 seats");
    const again = await upsertLead(db.db, "t1", { email: "ada@EXAMPLE.com", title: "CTO" });
    expect(again.id).toBe(lead.id);
    expect(again.name).toBe("Ada Lovelace");
    expect((await findLeadByEmail(db.db, "t1", " ADA@example.com"))?.id).toBe(lead.id);
    // Another tenant's blind index differs: the same address there is another lead.
    expect(await findLeadByEmail(db.db, "t2", "ada@example.com")).toBeNull();
  });

  it("the database refuses plaintext personal data whatever code path writes it", async () => {
    const db = await setUp();
    await expect(
      db.db.execute(sql`insert into leads (tenant_id, email) values ('t1', 'plain@example.com')`),
    ).rejects.toThrow();
    await expect(
      db.db.execute(sql`insert into leads (tenant_id, name) values ('t1', 'pii1.k1.')`),
    ).resolves.toBeDefined();
  });

  it("CRM search finds a lead by exact email or name words, not by fragments of ciphertext", async () => {
    const db = await setUp();
    const ada = await upsertLead(db.db, "t1", { name: "Ada Lovelace", email: "ada@example.com" });
    await upsertLead(db.db, "t1", { name: "Grace Hopper", email: "grace@example.com", company: "Navy" });
    const search = (text: string) =>
      searchLeadRows(db.db, "t1", { text, limit: 10, offset: 0 }).then((rows) => rows.map((r) => r.name));
    expect(await search("ADA@example.com")).toEqual(["Ada Lovelace"]);
    expect(await search("lovelace")).toEqual(["Ada Lovelace"]);
    expect(await search("ada lovelace")).toEqual(["Ada Lovelace"]);
    expect(await search("navy")).toEqual(["Grace Hopper"]);
    expect(await search("pii1")).toEqual([]);
    expect(await search("love")).toEqual([]);
    expect((await searchLeadRows(db.db, "t1", { text: "ada@example.com", limit: 5, offset: 0 }))[0]?.id).toBe(
      ada.id,
    );
  });

  it("outbox messages are sealed at rest and read back in the clear", async () => {
    const db = await setUp();
    const lead = await upsertLead(db.db, "t1", { name: "Ada", email: "ada@example.com" });
    await enqueueOutbox(db.db, {
      tenantId: "t1",
      leadId: lead.id,
      idempotencyKey: "k",
      channel: "email",
      variantId: "v1",
      subject: "Hello Ada",
      body: "Ada, about your 40 seats",
    });
    const [row] = await queryRows<{ subject: string; body: string }>(
      db.db,
      sql`select subject, body from outbox`,
    );
    expect(row?.subject).toMatch(/^pii1\./);
    expect(row?.body).not.toContain("Ada");
    expect((await outboxFor(db.db, "t1", lead.id))[0]).toMatchObject({ subject: "Hello Ada" });
  });

  it("rotate-keys moves every row to the new key; the old key can then be dropped", async () => {
    const db = await setUp();
    const lead = await upsertLead(db.db, "t1", {
      name: "Ada Lovelace",
      email: "ada@example.com",
      notes: "n",
    });
    for (let i = 0; i < 5; i++)
      await upsertLead(db.db, "t1", { name: `Lead ${i}`, email: `l${i}@example.com` });
    attachPii(db.db, ring("k2", { k1: key(1), k2: key(2) }));
    expect((await getLead(db.db, "t1", lead.id))?.name).toBe("Ada Lovelace");
    const dry = await rotateLeadKeys(db.db, { dryRun: true });
    expect(dry).toEqual({ scanned: 6, rewritten: 6 });
    expect((await raw(db, lead.id)).email).toMatch(/^pii1\.k1\./);
    const progress: number[] = [];
    const report = await rotateLeadKeys(db.db, { batchSize: 4, onProgress: (p) => progress.push(p.scanned) });
    expect(report).toEqual({ scanned: 6, rewritten: 6 });
    expect(progress).toEqual([4, 6]);
    expect((await raw(db, lead.id)).email).toMatch(/^pii1\.k2\./);
    expect(await rotateLeadKeys(db.db)).toEqual({ scanned: 6, rewritten: 0 });
    attachPii(db.db, ring("k2", { k2: key(2) }));
    expect((await getLead(db.db, "t1", lead.id))?.notes).toBe("n");
    expect((await findLeadByEmail(db.db, "t1", "ada@example.com"))?.id).toBe(lead.id);
  });

  it("a new blind-index key needs --reindex before email lookups find old rows", async () => {
    const db = await setUp();
    const lead = await upsertLead(db.db, "t1", { name: "Ada", email: "ada@example.com" });
    attachPii(db.db, ring("k1", { k1: key(1) }, key(11)));
    expect(await findLeadByEmail(db.db, "t1", "ada@example.com")).toBeNull();
    expect((await rotateLeadKeys(db.db, { all: true })).rewritten).toBe(1);
    expect((await findLeadByEmail(db.db, "t1", "ada@example.com"))?.id).toBe(lead.id);
  });

  it("rows stored in plaintext by an older version are encrypted and indexed at startup", async () => {
    const db = await setUp();
    await db.db.execute(sql`alter table leads drop constraint leads_pii_ciphertext_check`);
    await db.db.execute(sql`alter table outbox drop constraint outbox_pii_ciphertext_check`);
    const [old] = await queryRows<{ id: string }>(
      db.db,
      sql`insert into leads (tenant_id, name, email, notes) values ('t1', 'Old Timer', 'old@example.com', 'legacy') returning id`,
    );
    await db.db.execute(
      sql`insert into outbox (tenant_id, lead_id, idempotency_key, channel, variant_id, body)
          values ('t1', ${old!.id}, 'k', 'email', 'v', 'Dear Old Timer')`,
    );
    // As migration 0014 left a database that had these rows: checks present, not validated.
    await db.db.execute(sql`alter table leads add constraint leads_pii_ciphertext_check
      check ((name is null or name like 'pii1.%') and (email is null or email like 'pii1.%')
        and (notes is null or notes like 'pii1.%')) not valid`);
    await db.db.execute(sql`alter table outbox add constraint outbox_pii_ciphertext_check
      check ((subject is null or subject like 'pii1.%') and body like 'pii1.%') not valid`);
    const validated = async () =>
      (
        await queryRows<{ conname: string; convalidated: boolean }>(
          db.db,
          sql`select conname, convalidated from pg_constraint
              where conname in ('leads_pii_ciphertext_check', 'outbox_pii_ciphertext_check') order by 1`,
        )
      ).map((r) => `${r.conname}:${r.convalidated}`);
    expect(await validated()).toEqual([
      "leads_pii_ciphertext_check:false",
      "outbox_pii_ciphertext_check:false",
    ]);
    expect((await getLead(db.db, "t1", old!.id))?.name).toBe("Old Timer");
    expect(await findLeadByEmail(db.db, "t1", "old@example.com")).toBeNull();
    expect(await encryptLegacyRows(db.db)).toEqual({ scanned: 2, rewritten: 2 });
    // Every row is ciphertext now, and the database has checked it: later starts skip the scan.
    expect(await validated()).toEqual([
      "leads_pii_ciphertext_check:true",
      "outbox_pii_ciphertext_check:true",
    ]);
    expect((await raw(db, old!.id)).name).toMatch(/^pii1\./);
    expect((await findLeadByEmail(db.db, "t1", "OLD@example.com"))?.name).toBe("Old Timer");
    expect((await outboxFor(db.db, "t1", old!.id))[0]?.body).toBe("Dear Old Timer");
    expect(await encryptLegacyRows(db.db)).toEqual({ scanned: 0, rewritten: 0 });
    expect(await rotateOutboxKeys(db.db)).toEqual({ scanned: 1, rewritten: 0 });
  });
});
