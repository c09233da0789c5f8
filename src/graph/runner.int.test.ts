import { MemorySaver } from "@langchain/langgraph";
import { and, asc, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { hotLead as priya } from "../../test/support/leads.js";
import { defaultTriagePolicy } from "../agents/triage/classify.js";
import { loadDefaultTriageModel } from "../agents/triage/model.js";
import type { Database } from "../db/client.js";
import { enqueueOutbox, outboxFor, ThreadBusyError } from "../db/runs.js";
import { runs } from "../db/runs.schema.js";
import { buildGraph, type GraphDeps } from "./build.js";
import type { RunEvent } from "./run-events.js";
import { createThreadRunner, type ThreadRunner } from "./runner.js";

let database: Database;
let slowStatsMs = 0;

function runnerWith(overrides: Partial<GraphDeps> = {}): ThreadRunner {
  const checkpointer = new MemorySaver();
  const graph = buildGraph(
    {
      triage: { model: loadDefaultTriageModel(), policy: defaultTriagePolicy },
      variantStats: async () => {
        if (slowStatsMs) await new Promise((r) => setTimeout(r, slowStatsMs));
        return [];
      },
      approvalPolicy: "always",
      deliver: async (tenantId, m) => {
        const { id } = await enqueueOutbox(database.db, {
          tenantId,
          idempotencyKey: m.idempotencyKey,
          leadId: m.leadId ?? null,
          channel: m.channel,
          variantId: m.variantId,
          subject: m.subject ?? null,
          body: m.body,
          approvedBy: m.approvedBy ?? null,
        });
        return { outboxId: id };
      },
      ...overrides,
    },
    checkpointer,
  );
  return createThreadRunner({ graph, checkpointer, db: database.db, heartbeatMs: 50 });
}

const hotLead = {
  ...priya,
  id: "5f0c3c1e-7d1c-4a5e-9a59-0d6b3f7f2a11",
};

beforeAll(async () => {
  database = await createTestDatabase();
});
afterAll(() => database.close());

describe("thread runner", () => {
  it("runs 20 enqueued runs on one thread to completion, in the order they arrived", async () => {
    const runner = runnerWith();
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        runner.run({
          tenantId: "t1",
          threadId: "queue",
          multitask: "enqueue",
          input: { message: `reply #${i}: thanks!` },
        }),
      ),
    );
    expect(results.every((r) => r.status === "success")).toBe(true);
    const final = await runner.get("t1", "queue");
    const order = final?.values.messages
      .filter((m) => m.role === "user")
      .map((m) => Number(m.content.match(/#(\d+)/)?.[1]));
    // Arrival is when each run's row was inserted: the calls start together, so under load call i may
    // reach the database after call i + 1. The runs must execute in the order the database recorded.
    const arrived = await database.db
      .select({ id: runs.id })
      .from(runs)
      .where(and(eq(runs.tenantId, "t1"), eq(runs.threadId, "queue")))
      .orderBy(asc(runs.createdAt), asc(runs.id));
    const callOf = new Map(results.map((r, i) => [r.runId, i]));
    expect(arrived).toHaveLength(20);
    expect(order).toEqual(arrived.map((r) => callOf.get(r.id)));
    // Each reply goes triage → engagement → end: two handoffs per run, none lost.
    expect(final?.values.handoffs).toHaveLength(40);
  });

  it("rejects a second run while one is in progress", async () => {
    slowStatsMs = 300;
    const runner = runnerWith();
    const first = runner.run({ tenantId: "t1", threadId: "busy", input: { lead: hotLead } });
    await new Promise((r) => setTimeout(r, 100));
    await expect(
      runner.run({ tenantId: "t1", threadId: "busy", input: { message: "budget?" } }),
    ).rejects.toBeInstanceOf(ThreadBusyError);
    expect((await first).status).toBe("interrupted");
    slowStatsMs = 0;
  });

  it("streams numbered events and lets a late reader replay the rest from any point", async () => {
    const runner = runnerWith();
    const seen: RunEvent[] = [];
    const result = await runner.run({
      tenantId: "t1",
      input: { lead: hotLead },
      onEvent: (e) => seen.push(e),
    });
    expect(seen.map((e) => e.seq)).toEqual(seen.map((_, i) => i + 1));
    expect(seen[0]?.type).toBe("start");
    expect(seen.filter((e) => e.type === "handoff").map((e) => (e.data as { to: string }).to)).toEqual([
      "engagement",
      "optimization",
      "engagement",
    ]);
    expect(seen.some((e) => e.type === "interrupt")).toBe(true);
    expect(seen.at(-1)).toMatchObject({ type: "end", data: { status: "interrupted" } });

    const replayed: RunEvent[] = [];
    const joined = await runner.join({
      tenantId: "t1",
      runId: result.runId,
      after: 3,
      onEvent: (e) => replayed.push(e),
    });
    expect(replayed).toEqual(seen.slice(3));
    expect(joined.status).toBe("interrupted");
    await expect(runner.join({ tenantId: "other", runId: result.runId })).rejects.toThrow(/not found/);
  });

  it("applies a person's decision: edit is re-checked, reject stops, approve queues once", async () => {
    const runner = runnerWith();
    const interrupted = async (threadId: string) =>
      runner.run({
        tenantId: "t1",
        threadId,
        input: { lead: { ...hotLead, id: undefined, email: `${threadId}@x.example` } },
      });

    await interrupted("edit-bad");
    const blocked = await runner.run({
      tenantId: "t1",
      threadId: "edit-bad",
      resume: { value: { decision: { action: "edit", body: "Hi, no footer here" }, by: "sam" } },
    });
    expect(blocked.state.delivery).toMatchObject({
      status: "blocked",
      reason: expect.stringContaining("compliance"),
    });

    await interrupted("rejected");
    const rejected = await runner.run({
      tenantId: "t1",
      threadId: "rejected",
      resume: { value: { decision: { action: "reject", reason: "tone is off" }, by: "sam" } },
    });
    expect(rejected.state.delivery).toMatchObject({
      status: "rejected",
      reason: "rejected by sam: tone is off",
    });

    await interrupted("approved");
    const approved = await runner.run({
      tenantId: "t1",
      threadId: "approved",
      resume: { value: { decision: { action: "approve" }, by: "sam" } },
    });
    expect(approved.state.delivery).toMatchObject({ status: "queued", approvedBy: "sam" });
  });

  it("sends without a person when policy says never, and a replayed step queues nothing twice", async () => {
    const runner = runnerWith({ approvalPolicy: "never" });
    const result = await runner.run({ tenantId: "t1", threadId: "auto", input: { lead: hotLead } });
    expect(result.status).toBe("success");
    expect(result.state.delivery).toMatchObject({
      status: "queued",
      reason: expect.stringContaining('policy "never"'),
    });
    const queued = await outboxFor(database.db, "t1", hotLead.id);
    expect(queued).toHaveLength(1);
    // The same step's key again (a replay after a crash) finds the existing row.
    const again = await enqueueOutbox(database.db, {
      tenantId: "t1",
      idempotencyKey: queued[0]!.idempotencyKey,
      channel: "email",
      variantId: "x",
      body: "x",
    });
    expect(again).toEqual({ id: queued[0]!.id, created: false });
    expect(await outboxFor(database.db, "t1", hotLead.id)).toHaveLength(1);
  });

  it("cancels a running run; the thread stays usable and a cancelled run writes nothing after", async () => {
    slowStatsMs = 400;
    const runner = runnerWith();
    const running = runner.run({ tenantId: "t1", threadId: "cancel-me", input: { lead: hotLead } });
    await new Promise((r) => setTimeout(r, 150));
    expect(await runner.cancel("t1", "cancel-me")).toHaveLength(1);
    const cancelled = await running;
    expect(cancelled.status).toBe("cancelled");
    expect(cancelled.state.optimizationResult ?? null).toBeNull();
    slowStatsMs = 0;
    await new Promise((r) => setTimeout(r, 500));
    const after = await runner.get("t1", "cancel-me");
    expect(after?.values.optimizationResult ?? null).toBeNull();
    const next = await runner.run({
      tenantId: "t1",
      threadId: "cancel-me",
      input: { message: "campaign budget?" },
    });
    expect(next.status).toBe("success");
  });

  it("pages through a thread's checkpoints and deletes a thread", async () => {
    const runner = runnerWith();
    await runner.run({ tenantId: "t1", threadId: "hist", input: { message: "campaign budget?" } });
    await runner.run({ tenantId: "t1", threadId: "hist", input: { message: "campaign budget again?" } });
    const page1 = await runner.history("t1", "hist", { limit: 3 });
    expect(page1.items).toHaveLength(3);
    expect(page1.nextBefore).toBe(page1.items[2]?.checkpointId);
    const page2 = await runner.history("t1", "hist", { limit: 3, before: page1.nextBefore! });
    expect(page2.items[0]?.checkpointId).not.toBe(page1.items[0]?.checkpointId);
    const older = await runner.get("t1", "hist", page2.items[0]!.checkpointId);
    expect(older?.checkpointId).toBe(page2.items[0]!.checkpointId);
    expect(await runner.delete("t1", "hist")).toBe(2);
    expect(await runner.get("t1", "hist")).toBeNull();
  });
});
