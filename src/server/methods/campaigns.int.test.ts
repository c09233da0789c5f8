import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../../test/support/database.js";
import { type SecuredServer, startSecuredServer } from "../../../test/support/security-fixtures.js";
import type { Database } from "../../db/client.js";

/** campaigns.* over real HTTP against a listening server with authentication on (roles from tokens). */

let database: Database;
let server: SecuredServer;
let marketer: string;
let viewer: string;
let otherTenant: string;

beforeAll(async () => {
  database = await createTestDatabase();
  server = await startSecuredServer(database);
  marketer = await server.mint({ role: "marketer" });
  viewer = await server.mint({ role: "viewer" });
  otherTenant = await server.mint({ role: "marketer", tenant: "globex" });
});
afterAll(async () => {
  await server.close();
  await database.close();
});

let nextId = 1;
type Answer = { result?: any; error?: { code: number; message: string; data?: any } };
async function rpc(method: string, params: unknown, token = marketer): Promise<Answer> {
  const response = await fetch(`${server.url}/rpc`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
    body: JSON.stringify({ jsonrpc: "2.0", method, params, id: nextId++ }),
  });
  expect(response.status).toBe(200);
  return (await response.json()) as Answer;
}

describe("campaigns over HTTP (PGlite)", () => {
  let campaignId: string;
  let variantIds: Record<string, string>;

  it("creates a campaign with arms, adds one, and reads it back", async () => {
    const created = await rpc("campaigns.create", {
      name: "Spring launch",
      channel: "email",
      status: "running",
      budget: 1000,
      variants: [{ name: "A", content: "Subject: Spring is here" }, { name: "B" }],
    });
    expect(created.error).toBeUndefined();
    campaignId = created.result.campaign.id;
    expect(
      created.result.campaign.variants.map((v: { name: string; channel: string }) => [v.name, v.channel]),
    ).toEqual([
      ["A", "email"],
      ["B", "email"],
    ]);
    const added = await rpc("campaigns.addVariant", { campaignId, name: "C", channel: "sms" });
    expect(added.result.variant).toMatchObject({
      name: "C",
      channel: "sms",
      alpha: 1,
      beta: 1,
      posteriorMean: 0.5,
    });
    expect((await rpc("campaigns.addVariant", { campaignId, name: "C" })).error).toMatchObject({
      code: -32002,
    });
    const read = await rpc("campaigns.get", [campaignId]);
    variantIds = Object.fromEntries(
      read.result.campaign.variants.map((v: { name: string; id: string }) => [v.name, v.id]),
    );
    expect(Object.keys(variantIds)).toEqual(["A", "B", "C"]);
    expect((await rpc("campaigns.list", {})).result.campaigns.map((c: { name: string }) => c.name)).toContain(
      "Spring launch",
    );
  });

  it("records results once per idempotency key and updates the posterior", async () => {
    const report = {
      campaignId,
      variantId: variantIds.A,
      impressions: 5000,
      conversions: 200,
      cost: 50,
      idempotencyKey: "a-1",
    };
    const first = await rpc("campaigns.recordResult", report);
    expect(first.result).toMatchObject({
      recorded: true,
      variant: { impressions: 5000, conversions: 200, alpha: 201, beta: 4801 },
    });
    const retried = await rpc("campaigns.recordResult", report);
    expect(retried.result).toMatchObject({ recorded: false, variant: { impressions: 5000 } });
    await rpc("campaigns.recordResult", {
      campaignId,
      variantId: variantIds.B,
      impressions: 3000,
      conversions: 180,
      cost: 30,
      segment: "smb",
    });
    await rpc("campaigns.recordResult", {
      campaignId,
      variantId: variantIds.B,
      impressions: 2000,
      conversions: 120,
      cost: 20,
      segment: "enterprise",
    });
    await rpc("campaigns.recordResult", {
      campaignId,
      variantId: variantIds.C,
      impressions: 1000,
      conversions: 30,
      cost: 40,
    });
    const invalid = await rpc("campaigns.recordResult", {
      campaignId,
      variantId: variantIds.A,
      impressions: 1,
      conversions: 2,
    });
    expect(invalid.error).toMatchObject({ code: -32602, data: { issues: [{ path: "conversions" }] } });
  });

  it("reads out the A/B test: P(best), expected loss and the stopping decision, also per segment", async () => {
    const { result } = await rpc("campaigns.readout", { id: campaignId });
    expect(result.leader).toBe("B");
    expect(result.method).toBe("monte-carlo");
    const b = result.variants.find((v: { name: string }) => v.name === "B");
    expect(b).toMatchObject({ trials: 5000, conversions: 300 });
    expect(b.posteriorMean).toBeCloseTo(301 / 5002, 10);
    expect(b.probabilityBest).toBeGreaterThan(0.99);
    expect(result.decision).toMatchObject({ stop: true, reason: "loss_below_threshold" });
    expect(
      result.variants.reduce((s: number, v: { probabilityBest: number }) => s + v.probabilityBest, 0),
    ).toBeCloseTo(1, 9);

    const smb = (await rpc("campaigns.readout", { id: campaignId, segment: "smb" })).result;
    expect(smb.segment).toBe("smb");
    expect(smb.variants.map((v: { name: string; trials: number }) => [v.name, v.trials])).toEqual([
      ["A", 0],
      ["B", 3000],
      ["C", 0],
    ]);
    expect(smb.decision).toMatchObject({ stop: false, reason: "insufficient_sample" });
  });

  it("allocates the budget across channels, forecasts conversions, and recommends a strategy", async () => {
    const plan = (await rpc("campaigns.allocate", { id: campaignId })).result;
    expect(plan.total).toBe(1000);
    expect(plan.allocations.map((a: { id: string }) => a.id)).toEqual(["email", "sms"]);
    expect(plan.allocations.reduce((s: number, a: { amount: number }) => s + a.amount, 0)).toBeCloseTo(
      1000,
      9,
    );
    // Email: 0.01 per impression at ~5% beats SMS at 0.04 per impression and 3%.
    expect(plan.allocations[0].amount).toBeGreaterThan(plan.allocations[1].amount);

    const forecast = (await rpc("campaigns.forecast", { id: campaignId, sends: 1000 })).result;
    expect(forecast.variant).toBe("B");
    expect(forecast.expected).toBeCloseTo((1000 * 301) / 5002, 9);
    expect(forecast.interval.lower).toBeLessThan(forecast.expected);
    expect(forecast.interval.upper).toBeGreaterThan(forecast.expected);

    const strategy = (await rpc("campaigns.strategy", { id: campaignId, plannedSends: 1000 })).result;
    expect(strategy.recommendations.map((r: { kind: string }) => r.kind)).toEqual([
      "declare_winner",
      "forecast",
      "allocate_budget",
    ]);
    expect(strategy.narrative).toMatchObject({
      model: "offline",
      text: expect.stringMatching(/^Declare B the winner/),
    });
  });

  it("enforces permissions and tenants", async () => {
    expect((await rpc("campaigns.readout", { id: campaignId }, viewer)).result.leader).toBe("B");
    expect((await rpc("campaigns.create", { name: "x" }, viewer)).error?.code).toBe(-32003);
    expect(
      (
        await rpc(
          "campaigns.recordResult",
          { campaignId, variantId: variantIds.A, impressions: 1, conversions: 0 },
          viewer,
        )
      ).error?.code,
    ).toBe(-32003);
    // Another tenant's campaign is indistinguishable from none.
    expect((await rpc("campaigns.get", { id: campaignId }, otherTenant)).error?.code).toBe(-32004);
    expect(
      (
        await rpc(
          "campaigns.recordResult",
          { campaignId, variantId: variantIds.A, impressions: 1, conversions: 0 },
          otherTenant,
        )
      ).error?.code,
    ).toBe(-32004);
  });

  it("answers bad statistics input as invalid params", async () => {
    const lonely = (await rpc("campaigns.create", { name: "Lonely", variants: [{ name: "only" }] })).result
      .campaign;
    expect((await rpc("campaigns.readout", { id: lonely.id })).error).toMatchObject({
      code: -32602,
      message: "a readout needs at least two variants",
    });
    expect((await rpc("campaigns.allocate", { id: lonely.id })).error).toMatchObject({
      code: -32602,
      message: "the campaign has no budget: give total",
    });
  });
});
