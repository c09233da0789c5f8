import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { referral } from "../../test/support/leads.js";
import { auditEntries } from "../../test/support/mcp.js";
import { type SecuredServer, startSecuredServer } from "../../test/support/security-fixtures.js";
import { createCampaign, recordResult } from "../db/campaigns.js";
import type { Database } from "../db/client.js";
import { upsertLead } from "../db/leads.js";
import { agentReads } from "../graph/agent-reads.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";
import { createMemory } from "../memory/service.js";
import { type AgentName, remoteAgentClients } from "./agent-client.js";
import { McpAccessError } from "./errors.js";

/**
 * The agents' data reads go through their MCP clients: in-process (the default) and over Streamable HTTP
 * to a data server elsewhere. Each read is a tool call of the agent's allowlist, in the audit log as the
 * agent (`agent:<name>`, role `agent`).
 */

const FACT = "Acme Sync cuts onboarding time by 40% for mid-size teams";
const assertProductFact = (memory: MarketingSystem["memory"]) =>
  memory.knowledge.assertFact({
    subject: { type: "product", name: "Acme Sync" },
    predicate: "cuts",
    value: "onboarding time by 40% for mid-size teams",
  });

/** [method, target, result, role] of an agent's audit entries, oldest first. */
async function callsOf(db: Database["db"], tenantId: string, agent: AgentName, atLeast: number) {
  const entries = await auditEntries(db, { tenantId, actor: `agent:${agent}`, limit: 50 }, atLeast);
  return entries.reverse().map((e) => [e.method, e.target, e.result, e.role]);
}

describe("in-process: a run's engagement and optimization reads are MCP tool calls", () => {
  let system: MarketingSystem;
  let campaignId: string;
  let chosenBefore: string;

  beforeAll(async () => {
    system = await createMarketingSystem({ database: await createTestDatabase(), approvalPolicy: "never" });
    await assertProductFact(system.memory);
    // One lead of the segment reference/hot has been contacted and converted with the variant it got.
    const first = await system.leads.upsert(referral(1));
    const run = await system.threads.run({ input: { lead: { ...referral(1), id: first.id } } });
    expect(run.state.triageResult?.class).toBe("hot");
    chosenBefore = run.state.optimizationResult!.selected!.variantId;
    for (const event of ["sent", "converted"] as const) {
      await system.outcomes.record({
        idempotencyKey: `${event}-1`,
        leadId: first.id,
        event,
        variantId: chosenBefore,
      });
    }
    const campaign = await createCampaign(system.database.db, "default", {
      name: "Spring launch",
      channel: "email",
      variants: [{ name: "Short subject" }, { name: "Long subject" }],
    });
    campaignId = campaign.campaign.id;
    for (const [i, variant] of campaign.variants.entries()) {
      await recordResult(system.database.db, "default", {
        campaignId,
        variantId: variant.id,
        impressions: 1_000,
        conversions: i === 0 ? 60 : 30,
        cost: 100,
      });
    }
  }, 120_000);
  afterAll(async () => {
    await system?.close();
    await system?.database.close();
  });

  it("reads the lead, facts, similar leads' episodes and the segment's variant statistics through the agents' clients", async () => {
    const lead = await system.leads.upsert(referral(2));
    const { state } = await system.threads.run({ input: { lead: { ...referral(2), id: lead.id } } });
    expect(state.handoffs.map((h) => `${h.from}→${h.to}`)).toEqual([
      "triage→engagement",
      "engagement→optimization",
      "optimization→engagement",
      "engagement→end",
    ]);
    // What the agents read arrived: the stored fact grounds a draft, the converted lead's episode ranks its
    // variant, and the segment's record is the optimization agent's evidence for that variant.
    expect(state.engagementResult?.facts?.map((f) => f.statement)).toContainEqual(
      expect.stringContaining(FACT),
    );
    expect(state.engagementResult?.drafts.some((d) => d.body.includes(FACT))).toBe(true);
    const arm = state.optimizationResult?.arms.find((a) => a.variantId === chosenBefore);
    expect(arm).toMatchObject({ alpha: 2, beta: 1 });

    const db = system.database.db;
    expect(await callsOf(db, "default", "triage", 2)).toContainEqual([
      "mcp.tool.lead_get",
      lead.id,
      "ok",
      "agent",
    ]);
    const engagement = await callsOf(db, "default", "engagement", 4);
    expect(engagement).toEqual(
      expect.arrayContaining([
        ["mcp.tool.knowledge_query", null, "ok", "agent"],
        ["mcp.tool.episodes_similar", lead.id, "ok", "agent"],
      ]),
    );
    expect(await callsOf(db, "default", "optimization", 2)).toEqual([
      ["mcp.tool.variant_stats", null, "ok", "agent"],
      ["mcp.tool.variant_stats", null, "ok", "agent"],
    ]);
  });

  it("answers a campaign question from campaigns_list and campaign_metrics", async () => {
    const { state } = await system.threads.run({
      input: { message: "How is the Spring launch campaign doing? Should we move budget?" },
    });
    expect(state.optimizationResult?.campaign).toMatchObject({ id: campaignId, name: "Spring launch" });
    const calls = await callsOf(system.database.db, "default", "optimization", 4);
    expect(calls.slice(-2)).toEqual([
      ["mcp.tool.campaigns_list", null, "ok", "agent"],
      ["mcp.tool.campaign_metrics", campaignId, "ok", "agent"],
    ]);
  });

  it("holds each agent to its allowlist, and tells a missing record from a failed call", async () => {
    const engagement = system.mcp.agents.for("engagement", "default");
    await expect(
      engagement.call("campaign_metrics" as "lead_get", { campaignId } as never),
    ).rejects.toMatchObject({ code: "tool_not_allowed" });
    const optimization = system.mcp.agents.for("optimization", "default");
    await expect(
      optimization.call("lead_update_stage" as "campaign_metrics", {} as never),
    ).rejects.toBeInstanceOf(McpAccessError);
    expect(await engagement.call("lead_get", { id: "00000000-0000-4000-8000-000000000000" })).toBeNull();
    await expect(engagement.call("lead_get", { id: "not-a-uuid" })).rejects.toMatchObject({
      code: "tool_failed",
    });
  });
});

describe("remote: the agents' clients against a data server over Streamable HTTP", () => {
  let database: Database;
  let secured: SecuredServer;
  let leadId: string;
  const tokensAskedFor: string[] = [];
  const clients = () =>
    remoteAgentClients({
      url: `${secured.url}/mcp`,
      token: (agent, tenantId) => {
        tokensAskedFor.push(`${agent}@${tenantId}`);
        return secured.mint({ sub: `agent:${agent}`, role: "agent", tenant: tenantId });
      },
      timeoutMs: 10_000,
    });

  beforeAll(async () => {
    database = await createTestDatabase();
    // The data server, with authentication required (bearer JWT on /mcp).
    secured = await startSecuredServer(database);
    leadId = (await upsertLead(database.db, "acme", { ...referral(7), company: "Acme" })).id;
    await assertProductFact(createMemory({ db: database.db }).forTenant("acme"));
    const campaign = await createCampaign(database.db, "acme", {
      name: "Spring",
      variants: [{ name: "A" }, { name: "B" }],
    });
    await recordResult(database.db, "acme", {
      campaignId: campaign.campaign.id,
      variantId: campaign.variants[0]!.id,
      impressions: 200,
      conversions: 9,
    });
  }, 120_000);
  afterAll(async () => {
    await secured?.close();
    await database?.close();
  });

  it("reads a lead, facts, variant statistics and a campaign, each audited on the data server as the agent", async () => {
    const remote = clients();
    try {
      const reads = agentReads(remote, { defaultTenantId: "acme" });
      expect(await reads.readLead("acme", leadId)).toMatchObject({ id: leadId, company: "Acme" });
      const memory = await reads.recall("acme", { lead: { id: leadId, company: "Acme" }, text: null });
      expect(memory.facts.map((f) => f.statement)).toContainEqual(expect.stringContaining(FACT));
      expect(
        await reads.variantStats(["email-now-role"], { tenantId: "acme", lead: null, leadClass: null }),
      ).toEqual([]);
      expect(await reads.campaignFor("acme", "how is Spring doing?")).toMatchObject({
        name: "Spring",
        variants: [
          expect.objectContaining({ name: "A", impressions: 200, conversions: 9 }),
          expect.anything(),
        ],
      });
      // The token names the tenant: another tenant's agent sees no such lead.
      expect(await reads.readLead("globex", leadId)).toBeNull();
      // Outside the allowlist: refused in the client, no request sent, nothing audited.
      await expect(
        remote.for("triage", "acme").call("lead_update_stage" as "lead_get", { id: leadId } as never),
      ).rejects.toMatchObject({ code: "tool_not_allowed" });
    } finally {
      await remote.close();
    }
    expect(tokensAskedFor).toEqual(
      expect.arrayContaining(["triage@acme", "engagement@acme", "optimization@acme", "triage@globex"]),
    );
    expect(await callsOf(database.db, "acme", "triage", 1)).toEqual([
      ["mcp.tool.lead_get", leadId, "ok", "agent"],
    ]);
    expect(await callsOf(database.db, "acme", "engagement", 2)).toEqual(
      expect.arrayContaining([
        ["mcp.tool.knowledge_query", null, "ok", "agent"],
        ["mcp.tool.episodes_similar", leadId, "ok", "agent"],
      ]),
    );
    expect(await callsOf(database.db, "acme", "optimization", 3)).toEqual([
      ["mcp.tool.variant_stats", null, "ok", "agent"],
      ["mcp.tool.campaigns_list", null, "ok", "agent"],
      ["mcp.tool.campaign_metrics", expect.any(String), "ok", "agent"],
    ]);
    expect(await callsOf(database.db, "globex", "triage", 1)).toEqual([
      ["mcp.tool.lead_get", leadId, "error", "agent"],
    ]);
  });

  it("runs the graph of another system whose agents read through the remote server", async () => {
    // The agents' system shares the database for what the graph still writes directly (the triage score,
    // the profile, the outbox); every read goes to the data server over HTTP.
    const remote = clients();
    const agents = await createMarketingSystem({
      database,
      tenantId: "acme",
      approvalPolicy: "never",
      agentClients: remote,
    });
    try {
      const lead = await upsertLead(database.db, "acme", referral(8));
      const { state } = await agents.threads.run({
        input: { lead: { id: lead.id, name: "Referral Lead8" } },
      });
      // The input named only the lead: the rest (source, visits, role) came from lead_get over HTTP.
      expect(state.triageResult?.class).toBe("hot");
      expect(state.engagementResult?.facts?.map((f) => f.statement)).toContainEqual(
        expect.stringContaining(FACT),
      );
      const triage = await callsOf(database.db, "acme", "triage", 2);
      expect(triage.at(-1)).toEqual(["mcp.tool.lead_get", lead.id, "ok", "agent"]);
      const engagement = await callsOf(database.db, "acme", "engagement", 4);
      expect(engagement.at(-1)).toEqual(["mcp.tool.episodes_similar", lead.id, "ok", "agent"]);
    } finally {
      await agents.close();
      await remote.close();
    }
  });

  it("cannot connect without a token: the data server refuses it (401, missing_token)", async () => {
    const anonymous = remoteAgentClients({ url: `${secured.url}/mcp`, timeoutMs: 5_000 });
    try {
      await expect(anonymous.for("triage", "acme").call("lead_get", { id: leadId })).rejects.toThrow(
        /Unauthorized.*missing_token/,
      );
    } finally {
      await anonymous.close();
    }
  });
});
