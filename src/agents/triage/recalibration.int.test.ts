import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, databaseBackends } from "../../../test/support/database.js";
import type { Database } from "../../db/client.js";
import { createMarketingSystem, type MarketingSystem } from "../../index.js";

/**
 * The learning loop reaches triage: outcomes recorded through the library API refit the tenant's
 * recalibration in the background, and the next triage of a similar lead uses it and says so.
 */
const backends = databaseBackends();

/** Chat-widget leads with one short visit: the shipped model gives them little chance. */
const chatLead = (i: number) => ({
  name: `Chat Visitor${i}`,
  email: `chat${i}@example.com`,
  company: `Widget Co ${i}`,
  source: "Olark Chat",
  totalVisits: 1,
  timeOnSite: 40,
  pageViewsPerVisit: 1,
  lastActivity: "Page Visited on Website",
});

describe.each(backends)("triage recalibration from outcomes ($name)", ({ open }) => {
  let database: Database;
  let system: MarketingSystem;
  beforeAll(async () => {
    database = await open();
    system = await createMarketingSystem({
      database,
      approvalPolicy: "never",
      recalibration: { debounceMs: 20 },
    });
  }, 60_000);
  afterAll(async () => {
    await system?.close();
    await database?.close();
  });

  it("moves the next similar lead's score toward what such leads did, and says why", async () => {
    const before = await system.threads.run({ input: { lead: chatLead(0) } });
    const modelScore = before.state.triageResult!.score;
    expect(before.state.triageResult?.recalibration).toBeUndefined();
    expect(modelScore).toBeLessThan(0.4);

    // 40 such leads: 32 converted, 8 unsubscribed (four in five convert, whatever the model said).
    for (let i = 1; i <= 40; i++) {
      const lead = await system.leads.upsert(chatLead(i));
      await system.outcomes.record({
        idempotencyKey: `chat-${i}`,
        leadId: lead.id,
        event: i % 5 === 0 ? "unsubscribed" : "converted",
      });
    }
    await system.recalibration!.flush();
    const fitted = await system.recalibration!.current();
    expect(fitted).toMatchObject({ labelled: 40, converted: 32 });

    const after = await system.threads.run({ input: { lead: chatLead(100) } });
    const result = after.state.triageResult!;
    expect(result.recalibration?.modelScore).toBeCloseTo(modelScore, 10);
    expect(result.score).toBeGreaterThan(modelScore + 0.25);
    // All 40 were scored like this lead; the model's own number counts as 20 more at its rate.
    expect(result.recalibration?.nearby).toBeGreaterThan(38);
    expect(result.score).toBeCloseTo(
      (20 * modelScore + result.recalibration!.nearbyConverted) / (20 + result.recalibration!.nearby),
      10,
    );
    expect(result.reasons.join("\n")).toMatch(
      /score recalibrated by recorded outcomes: leads the model scored alike converted 3\d\.\d of 3\d\.\d times/,
    );
  }, 120_000);

  it("is readable and refittable over JSON-RPC", async () => {
    const call = async (method: string, params: unknown) =>
      (await (
        await system.httpApp().request("/rpc", {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({ jsonrpc: "2.0", id: 1, method, params }),
        })
      ).json()) as { result?: any; error?: { code: number; message: string } };
    const read = await call("triage.recalibration", {});
    expect(read.result).toMatchObject({ recalibration: { labelled: 40, converted: 32 } });
    const curve = read.result.recalibration.curve as { modelScore: number; score: number; nearby: number }[];
    // Low scores (where the outcomes were) moved up; high ones, with no outcomes near, did not move.
    expect(curve.find((p) => p.modelScore === 0.01)!.score).toBeGreaterThan(0.15);
    expect(curve.find((p) => p.modelScore === 0.9)).toMatchObject({ score: 0.9, nearby: 0 });
    expect((await call("triage.recalibrate", {})).result).toMatchObject({ status: "current" });
    expect((await call("triage.recalibrate", { force: true })).result).toMatchObject({
      status: "fitted",
      summary: { recalibration: { labelled: 40 } },
    });
    expect((await call("triage.recalibrate", { force: "yes" })).error?.code).toBe(-32602);
  }, 60_000);

  it("does not refit when nothing new was recorded, and a retried outcome is not new", async () => {
    const lead = await system.leads.upsert(chatLead(1));
    const retry = await system.outcomes.record({
      idempotencyKey: "chat-1",
      leadId: lead.id,
      event: "converted",
    });
    expect(retry.recorded).toBe(false);
    await system.recalibration!.flush();
    expect(await system.recalibration!.refit()).toMatchObject({ status: "current" });
  }, 60_000);
});

describe("triage recalibration turned off", () => {
  it("leaves the model's number alone however many outcomes there are", async () => {
    const database = await createTestDatabase();
    const system = await createMarketingSystem({ database, approvalPolicy: "never", recalibration: false });
    try {
      expect(system.recalibration).toBeNull();
      const response = await system.httpApp().request("/rpc", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ jsonrpc: "2.0", id: 1, method: "triage.recalibrate", params: {} }),
      });
      expect(((await response.json()) as { error: { code: number } }).error.code).toBe(-32000);
      for (let i = 1; i <= 12; i++) {
        const lead = await system.leads.upsert(chatLead(i));
        await system.outcomes.record({ idempotencyKey: `c${i}`, leadId: lead.id, event: "converted" });
      }
      const run = await system.threads.run({ input: { lead: chatLead(50) } });
      expect(run.state.triageResult?.recalibration).toBeUndefined();
    } finally {
      await system.close();
      await database.close();
    }
  }, 60_000);
});
