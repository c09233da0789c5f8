import { sql } from "drizzle-orm";
import { describe, expect, it } from "vitest";
import { databaseBackends } from "../../../test/support/database.js";
import { hotLead } from "../../../test/support/leads.js";
import { systemOn } from "../../../test/support/system.js";

/** threads.list over JSON-RPC: the approvals inbox, paging, tenants. */
describe.each(databaseBackends())("threads.list ($name)", ({ open }) => {
  const ctx = systemOn(open, { approvalPolicy: "always" });
  const rpc = ctx.rpc;

  const waiting = async (email: string) => {
    const run = await rpc("threads.run", { input: { lead: { ...hotLead, email } } });
    expect(run.result.status).toBe("interrupted");
    return run.result.threadId as string;
  };

  it("lists the approvals waiting for a person, newest first, with what each asks; an answered one leaves", async () => {
    const first = await waiting("a1@list.example");
    const second = await waiting("a2@list.example");
    const third = await waiting("a3@list.example");
    // Another tenant's waiting thread must not show.
    await ctx.database.db.execute(
      sql`insert into runs (tenant_id, thread_id, status, multitask) values ('other', 'theirs', 'interrupted', 'reject')`,
    );

    const inbox = await rpc("threads.list", { status: "interrupted" });
    expect(inbox.error).toBeUndefined();
    expect(inbox.result.items.map((i: any) => i.threadId)).toEqual([third, second, first]);
    const item = inbox.result.items[0];
    expect(item.status).toBe("interrupted");
    expect(item.finishedAt === null || typeof item.finishedAt === "string").toBe(true);
    expect(item.interrupts).toHaveLength(1);
    expect(item.interrupts[0].value).toMatchObject({ kind: "approval", channel: expect.any(String) });
    expect(item.interrupts[0].value.body).toEqual(expect.stringMatching(/\S/));

    const approved = await rpc("threads.resume", {
      threadId: second,
      value: { decision: { action: "approve" } },
    });
    expect(approved.result.status).toBe("success");
    const after = await rpc("threads.list", { status: "interrupted" });
    expect(after.result.items.map((i: any) => i.threadId)).toEqual([third, first]);
    // Unfiltered, the thread shows once, by its latest run (the resume).
    const all = await rpc("threads.list", {});
    const secondItems = all.result.items.filter((i: any) => i.threadId === second);
    expect(secondItems).toEqual([expect.objectContaining({ status: "success", interrupts: [] })]);
    expect(all.result.items.map((i: any) => i.threadId)).not.toContain("theirs");
  });

  it("pages exactly with nextBefore, and refuses a cursor it did not make", async () => {
    const seen: string[] = [];
    let before: string | undefined;
    for (let page = 0; page < 10; page++) {
      const listed = await rpc("threads.list", { limit: 1, ...(before ? { before } : {}) });
      seen.push(...listed.result.items.map((i: any) => i.threadId));
      before = listed.result.nextBefore ?? undefined;
      if (!before) break;
    }
    const whole = await rpc("threads.list", { limit: 100 });
    expect(seen).toEqual(whole.result.items.map((i: any) => i.threadId));
    expect(new Set(seen).size).toBe(seen.length);
    expect(seen.length).toBeGreaterThanOrEqual(3);

    const bad = await rpc("threads.list", { before: "not-a-cursor" });
    expect(bad.error?.code).toBe(-32602);
    expect(bad.error?.message).toMatch(/nextBefore/);
    const wrongStatus = await rpc("threads.list", { status: "waiting" });
    expect(wrongStatus.error?.code).toBe(-32602);
  });
});
