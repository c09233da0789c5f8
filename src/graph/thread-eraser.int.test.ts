import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseBackends } from "../../test/support/database.js";
import { systemOn } from "../../test/support/system.js";
import { queryRows } from "../db/client.js";

const backends = databaseBackends();

/** memory.forget with the thread eraser wired by createMarketingSystem: the person's threads go too. */
describe.each(backends)("memory.forget erases the person's threads ($name)", ({ open }) => {
  const ctx = systemOn(open, { approvalPolicy: "always" });
  const rpc = ctx.rpc;

  const n = async (query: ReturnType<typeof sql>) =>
    Number((await queryRows<{ n: number }>(ctx.database.db, query))[0]?.n);
  /** Rows a thread has: checkpoint rows of every kind, runs, run events. */
  async function rowsOf(threadId: string) {
    const key = `default/${threadId}`;
    return {
      checkpoints: await n(sql`select count(*)::int as n from thread_checkpoints where thread_id = ${key}`),
      blobs: await n(sql`select count(*)::int as n from thread_checkpoint_blobs where thread_id = ${key}`),
      writes: await n(sql`select count(*)::int as n from thread_checkpoint_writes where thread_id = ${key}`),
      runs: await n(
        sql`select count(*)::int as n from runs where tenant_id = 'default' and thread_id = ${threadId}`,
      ),
      runEvents: await n(
        sql`select count(*)::int as n from run_events e join runs r on r.id = e.run_id
            where r.tenant_id = 'default' and r.thread_id = ${threadId}`,
      ),
    };
  }
  const lead = (name: string, email: string) => ({
    name,
    email,
    company: "Northwind Analytics",
    title: "Head of Data",
    source: "Reference",
    totalVisits: 6,
    timeOnSite: 1850,
    pageViewsPerVisit: 4,
    lastActivity: "SMS Sent",
  });

  it("by lead id: the threads about the lead or naming its email go, whole; a look-alike email's stay", async () => {
    // Over JSON-RPC the lead is stored first: the thread's state holds its id and email.
    const ann = await rpc("threads.run", { input: { lead: lead("Ann Lee", "ann@x.example") } });
    expect(ann.result.status).toBe("interrupted"); // waiting for approval, the draft addressed to her
    const annId: string = ann.result.state.lead.id;
    // The library with a reference only ({ id }), and a message naming her email.
    const byId = await ctx.system.threads.run({ input: { lead: { id: annId } as never } });
    const mention = await ctx.system.threads.run({
      input: { message: "Could someone follow up with ann@x.example about pricing?" },
    });
    // Joann's email contains Ann's: her thread must stay.
    const joann = await rpc("threads.run", { input: { lead: lead("Joann Berg", "joann@x.example") } });
    const annThreads = [ann.result.threadId as string, byId.threadId, mention.threadId];
    const before = await Promise.all(annThreads.map(rowsOf));
    for (const rows of before) {
      expect(rows.checkpoints).toBeGreaterThan(0);
      expect(rows.runs).toBe(1);
      expect(rows.runEvents).toBeGreaterThan(0);
    }
    const joannBefore = await rowsOf(joann.result.threadId);

    const forgotten = await rpc("memory.forget", { leadId: annId });

    expect(forgotten.error).toBeUndefined();
    expect(forgotten.result.leadIds).toEqual([annId]);
    expect(forgotten.result.erased).toMatchObject({
      leads: 1,
      threads: 3,
      checkpoints: before.reduce((sum, r) => sum + r.checkpoints, 0),
      runs: 3,
      runEvents: before.reduce((sum, r) => sum + r.runEvents, 0),
    });
    for (const threadId of annThreads) {
      expect(await rowsOf(threadId)).toEqual({ checkpoints: 0, blobs: 0, writes: 0, runs: 0, runEvents: 0 });
      const got = await rpc("threads.get", { threadId });
      expect(got.error?.code).toBe(-32004);
      expect((await rpc("threads.history", { threadId })).result.items).toEqual([]);
    }
    expect(await rowsOf(joann.result.threadId)).toEqual(joannBefore);
    expect((await rpc("threads.get", { threadId: joann.result.threadId })).result.state.lead.email).toBe(
      "joann@x.example",
    );
  });

  it("by email: a thread run on a lead that was never stored, case-insensitively", async () => {
    const bo = await ctx.system.threads.run({
      input: { lead: { name: "Bo Chen", email: "Bo.Chen@Y.example" } },
    });
    expect((await rowsOf(bo.threadId)).checkpoints).toBeGreaterThan(0);

    const forgotten = await ctx.system.memory.forget({ email: "bo.chen@y.example" });

    expect(forgotten.leadIds).toEqual([]);
    expect(forgotten.erased).toMatchObject({ threads: 1, runs: 1 });
    expect(await rowsOf(bo.threadId)).toEqual({ checkpoints: 0, blobs: 0, writes: 0, runs: 0, runEvents: 0 });
  });

  it("refuses while a run is live on one of the threads, erasing nothing; a dead replica's run does not block", async () => {
    const cy = await rpc("threads.run", { input: { lead: lead("Cy Young", "cy@z.example") } });
    const cyId: string = cy.result.state.lead.id;
    const threadId: string = cy.result.threadId;
    // A run in progress on another replica: status running, fresh heartbeat.
    await ctx.database.db.execute(
      sql`insert into runs (tenant_id, thread_id, status, multitask) values ('default', ${threadId}, 'running', 'reject')`,
    );
    const before = await rowsOf(threadId);

    const refused = await rpc("memory.forget", { leadId: cyId });

    expect(refused.error).toMatchObject({ code: -32002, data: { reason: "thread_busy", threadId } });
    expect(await rowsOf(threadId)).toEqual(before);
    expect((await rpc("leads.get", { id: cyId })).result).toBeDefined(); // the whole forget rolled back

    // That replica died: its heartbeat is old, the run no longer blocks.
    await ctx.database.db.execute(
      sql`update runs set heartbeat_at = now() - interval '1 hour' where thread_id = ${threadId} and status = 'running'`,
    );
    const forgotten = await rpc("memory.forget", { leadId: cyId });
    expect(forgotten.result.erased).toMatchObject({ leads: 1, threads: 1, runs: 2 });
    expect(await rowsOf(threadId)).toEqual({ checkpoints: 0, blobs: 0, writes: 0, runs: 0, runEvents: 0 });
    // The thread id can be used again, from nothing.
    const again = await ctx.system.threads.run({ threadId, input: { message: "hello" } });
    expect(again.state.lead).toBeNull();
  });
});
