import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseBackends } from "../../test/support/database.js";
import { hotLead } from "../../test/support/leads.js";
import { systemOn } from "../../test/support/system.js";
import { queryRows } from "../db/client.js";
import { outboxFor } from "../db/runs.js";
import { KEPT_AFTER_ERASURE, suppressionFor, suppressLead } from "./suppressions.js";

/**
 * memory.forget with the erasers createMarketingSystem wires: the messages queued to the person go too,
 * found by lead id (outbox eraser) or, for a lead never stored, by the thread that queued them; their
 * suppressions stay, by the email's blind index.
 */
describe.each(databaseBackends())("memory.forget and the channels ($name)", ({ open }) => {
  // No approval step: each run queues its message at once.
  const ctx = systemOn(open, { approvalPolicy: "never" });
  const rpc = ctx.rpc;

  /** Over JSON-RPC the lead is stored first, so its messages carry its id. */
  async function queuedFor(email: string): Promise<string> {
    const run = await rpc("threads.run", { input: { lead: { ...hotLead, email } } });
    expect(run.error).toBeUndefined();
    return run.result.state.lead.id;
  }
  const n = async (query: ReturnType<typeof sql>) =>
    Number((await queryRows<{ n: number }>(ctx.database.db, query))[0]?.n);
  const deliveriesOf = (leadId: string) =>
    n(sql`select count(*)::int as n from outbox_deliveries d join outbox o on o.id = d.outbox_id
          where o.lead_id = ${leadId}`);
  const outboxOfThread = (threadId: string) =>
    n(sql`select count(*)::int as n from outbox where idempotency_key like ${`default/${threadId}:%`}`);

  it("by lead id: every message to the lead goes, with its delivery record; another lead's stay", async () => {
    const ann = await queuedFor("ann@outbox.example");
    await rpc("threads.run", { input: { lead: { id: ann } } });
    const joann = await queuedFor("joann@outbox.example");
    const annMessages = await outboxFor(ctx.database.db, "default", ann);
    const joannMessages = await outboxFor(ctx.database.db, "default", joann);
    expect(annMessages.length).toBe(2);
    expect(joannMessages.length).toBe(1);
    await ctx.database.db.execute(
      sql`insert into outbox_deliveries (outbox_id) select id from outbox where lead_id = ${ann}`,
    );
    expect(await deliveriesOf(ann)).toBe(2);

    const report = await ctx.system.memory.forget({ leadId: ann });

    expect(report.erased.outbox).toBe(2);
    expect(await outboxFor(ctx.database.db, "default", ann)).toEqual([]);
    expect(await deliveriesOf(ann)).toBe(0);
    expect(await outboxFor(ctx.database.db, "default", joann)).toEqual(joannMessages);
  });

  it("by email, for a lead never stored: the message its thread queued goes with the thread", async () => {
    const bo = await ctx.system.threads.run({ input: { lead: { ...hotLead, email: "bo@outbox.example" } } });
    const cy = await ctx.system.threads.run({ input: { lead: { ...hotLead, email: "cy@outbox.example" } } });
    expect(await outboxOfThread(bo.threadId)).toBe(1);

    const report = await ctx.system.memory.forget({ email: "bo@outbox.example" });

    expect(report.erased).toMatchObject({ threads: 1, outbox: 1 });
    expect(await outboxOfThread(bo.threadId)).toBe(0);
    expect(await outboxOfThread(cy.threadId)).toBe(1);
  });

  it("keeps an unsubscribe past the erasure: the same address, stored again, is not contacted", async () => {
    const dee = await queuedFor("dee@outbox.example");
    await suppressLead(ctx.database.db, "default", dee, {
      scope: "all",
      reason: "reply: unsubscribe",
      source: "reply",
    });
    const eve = await queuedFor("eve@outbox.example");

    const report = await ctx.system.memory.forget({ leadId: dee });
    expect(report.erased).toMatchObject({ leads: 1, suppressionsKept: 1 });
    const kept = await queryRows<Record<string, unknown>>(
      ctx.database.db,
      sql`select * from erased_contact_suppressions where tenant_id = 'default'`,
    );
    // Only the blind index: no address, name or reason text.
    expect(kept).toHaveLength(1);
    expect(JSON.stringify(kept)).not.toMatch(/dee|outbox\.example|unsubscribe/i);

    // A CRM sync brings the address back, in another case.
    const again = await rpc("leads.upsert", { lead: { ...hotLead, email: "Dee@Outbox.example" } });
    const deeAgain: string = again.result.lead.id;
    expect(deeAgain).not.toBe(dee);
    expect(await suppressionFor(ctx.database.db, "default", deeAgain, "email")).toMatchObject({
      scope: "all",
      source: "reply",
      reason: KEPT_AFTER_ERASURE,
    });
    const run = await rpc("threads.run", { input: { lead: { id: deeAgain } } });
    expect(run.error).toBeUndefined();
    expect(await outboxFor(ctx.database.db, "default", deeAgain)).toEqual([]);
    // Another address is unaffected.
    expect(await suppressionFor(ctx.database.db, "default", eve, "email")).toBeUndefined();
  });

  it("keeps nothing for a person who never unsubscribed", async () => {
    const fay = await queuedFor("fay@outbox.example");
    const report = await ctx.system.memory.forget({ leadId: fay });
    expect(report.erased.suppressionsKept).toBe(0);
  });
});
