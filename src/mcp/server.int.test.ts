import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import { McpError } from "@modelcontextprotocol/sdk/types.js";
import { AjvJsonSchemaValidator } from "@modelcontextprotocol/sdk/validation/ajv";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { auditEntries, testMcpDeps } from "../../test/support/mcp.js";
import type { Principal } from "../auth/permissions.js";
import { createCampaign, recordResult } from "../db/campaigns.js";
import type { Database } from "../db/client.js";
import { upsertLead } from "../db/leads.js";
import { inProcessAgentClients } from "./agent-client.js";
import { McpAccessError } from "./errors.js";
import { serveMcp } from "./server.js";

let database: Database;
let deps: ReturnType<typeof testMcpDeps>;
let leadId: string;
let otherTenantLeadId: string;
let campaignId: string;

beforeAll(async () => {
  database = await createTestDatabase();
  deps = testMcpDeps(database);
  const lead = await upsertLead(database.db, "acme", {
    name: "Ada Lovelace",
    email: "ada@acme.example",
    company: "Acme",
    title: "Head of Growth",
    source: "Reference",
    totalVisits: 7,
    timeOnSite: 1_400,
    pageViewsPerVisit: 3,
    lastActivity: "Email Opened",
  });
  leadId = lead.id;
  otherTenantLeadId = (
    await upsertLead(database.db, "globex", { name: "Hank", email: "hank@globex.example" })
  ).id;
  const campaign = await createCampaign(database.db, "acme", {
    name: "Spring",
    channel: "email",
    variants: [{ name: "A" }, { name: "B" }],
  });
  campaignId = campaign.campaign.id;
  await recordResult(database.db, "acme", {
    campaignId,
    variantId: campaign.variants[0]!.id,
    impressions: 100,
    conversions: 7,
    segment: "reference/hot",
  });
  await deps.memory
    .forTenant("acme")
    .put(["segment", "reference/hot"], "tone", { note: "prefers short emails" });
  await deps.memory
    .forTenant("acme")
    .knowledge.assertFact({
      subject: { type: "company", name: "Acme" },
      predicate: "uses",
      object: { type: "product", name: "Salesforce" },
    })
    .catch(() => undefined);
}, 120_000);

afterAll(async () => {
  await deps.flushAudit();
  await database.close();
});

async function connect(principal: Principal): Promise<Client> {
  const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
  await serveMcp(deps, principal, serverSide);
  const client = new Client({ name: "test", version: "1.0.0" });
  await client.connect(clientSide);
  return client;
}

const marketer: Principal = { subject: "mia", role: "marketer", tenantId: "acme" };
const viewer: Principal = { subject: "vic", role: "viewer", tenantId: "acme" };

const json = (result: unknown) => (result as { structuredContent: Record<string, any> }).structuredContent;

describe("MCP server over the in-memory transport", () => {
  it("lists every tool with a strict input schema and annotations, and the resources", async () => {
    const client = await connect(marketer);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual([
      "leads_search",
      "lead_get",
      "lead_update_stage",
      "campaigns_list",
      "campaign_metrics",
      "variant_stats",
      "outcome_record",
      "memory_search",
      "episodes_similar",
      "knowledge_query",
      "triage_run",
    ]);
    for (const tool of tools) {
      expect(tool.inputSchema.additionalProperties).toBe(false);
      expect(typeof tool.annotations?.readOnlyHint).toBe("boolean");
      expect(tool.description).toMatch(/Requires permission \w+:\w+/);
    }
    expect(tools.find((t) => t.name === "lead_update_stage")?.annotations).toMatchObject({
      readOnlyHint: false,
      destructiveHint: false,
      idempotentHint: true,
    });
    const { resources } = await client.listResources();
    expect(resources.map((r) => r.uri)).toEqual(
      expect.arrayContaining(["segment://summary", `lead://${leadId}`]),
    );
    const { resourceTemplates } = await client.listResourceTemplates();
    expect(resourceTemplates.map((t) => t.uriTemplate).sort()).toEqual(["campaign://{id}", "lead://{id}"]);
    await client.close();
  });

  it("calls each tool, scoped to the caller's tenant", async () => {
    const client = await connect(marketer);
    const found = json(await client.callTool({ name: "leads_search", arguments: { text: "acme" } }));
    expect(found["leads"].map((l: { id: string }) => l.id)).toEqual([leadId]);
    expect(
      json(await client.callTool({ name: "lead_get", arguments: { id: leadId } }))["lead"],
    ).toMatchObject({
      name: "Ada Lovelace",
      stage: "new",
    });
    // Another tenant's lead is indistinguishable from none.
    const foreign = await client.callTool({ name: "lead_get", arguments: { id: otherTenantLeadId } });
    expect(foreign.isError).toBe(true);
    expect(
      json(
        await client.callTool({ name: "lead_update_stage", arguments: { id: leadId, stage: "contacted" } }),
      )["lead"].stage,
    ).toBe("contacted");
    const listed = json(await client.callTool({ name: "campaigns_list", arguments: {} }));
    expect(listed["campaigns"].map((c: { id: string; name: string }) => [c.id, c.name])).toEqual([
      [campaignId, "Spring"],
    ]);
    const metrics = json(await client.callTool({ name: "campaign_metrics", arguments: { campaignId } }));
    expect(metrics["totals"]).toMatchObject({ impressions: 100, conversions: 7 });
    expect(metrics["segments"]).toEqual(["reference/hot"]);
    const outcome = json(
      await client.callTool({
        name: "outcome_record",
        arguments: { idempotencyKey: "mcp-1", leadId, event: "opened" },
      }),
    );
    expect(outcome).toMatchObject({ recorded: true });
    const again = json(
      await client.callTool({
        name: "outcome_record",
        arguments: { idempotencyKey: "mcp-1", leadId, event: "opened" },
      }),
    );
    expect(again).toMatchObject({ recorded: false, outcomeId: outcome["outcomeId"] });
    await client.callTool({
      name: "outcome_record",
      arguments: { idempotencyKey: "mcp-2", leadId, event: "converted", variantId: "email-now-fact" },
    });
    const stats = json(
      await client.callTool({
        name: "variant_stats",
        arguments: { variantIds: ["email-now-fact", "email-now-role"], source: "Reference", class: null },
      }),
    );
    expect(stats).toEqual({
      segment: "reference/unscored",
      variants: [
        { variantId: "email-now-fact", trials: 1, successes: 1 },
        { variantId: "email-now-role", trials: 0, successes: 0 },
      ],
    });
    const similar = json(await client.callTool({ name: "episodes_similar", arguments: { leadId } }));
    expect(similar["actions"]).toContainEqual(
      expect.objectContaining({ variantId: "email-now-fact", interactions: 1, successes: 1 }),
    );
    const memories = json(
      await client.callTool({
        name: "memory_search",
        arguments: { namespace: ["segment"], query: "short emails" },
      }),
    );
    expect(memories["items"][0].value).toEqual({ note: "prefers short emails" });
    const knowledge = json(
      await client.callTool({ name: "knowledge_query", arguments: { query: "What does Acme use?" } }),
    );
    expect(Array.isArray(knowledge["hits"])).toBe(true);
    const triage = json(await client.callTool({ name: "triage_run", arguments: { leadId } }));
    expect(triage["triage"]).toMatchObject({ class: expect.stringMatching(/hot|warm|cold|disqualified/) });
    expect(triage["triage"].score).toBeGreaterThanOrEqual(0);
    await client.close();
  });

  it("declares an output schema for every tool, and each tool's structured content validates against it", async () => {
    const client = await connect(marketer);
    const { tools } = await client.listTools();
    const validator = new AjvJsonSchemaValidator();
    const calls: Record<string, Record<string, unknown>> = {
      leads_search: { text: "acme" },
      lead_get: { id: leadId },
      lead_update_stage: { id: leadId, stage: "contacted" },
      campaigns_list: {},
      campaign_metrics: { campaignId, segment: "reference/hot" },
      variant_stats: { variantIds: ["email-now-role", "email-now-fact"], source: "Reference", class: null },
      outcome_record: { idempotencyKey: "schema-1", leadId, event: "sent", variantId: "email-now-role" },
      memory_search: { namespace: ["segment"], query: "short emails" },
      episodes_similar: { leadId },
      knowledge_query: { query: "What does Acme use?" },
      triage_run: { leadId },
    };
    expect(Object.keys(calls).sort()).toEqual(tools.map((t) => t.name).sort());
    for (const tool of tools) {
      expect(tool.outputSchema, tool.name).toMatchObject({ type: "object", additionalProperties: false });
      // listTools above cached the SDK client's own validators: callTool throws on a mismatch.
      const result = await client.callTool({ name: tool.name, arguments: calls[tool.name] });
      expect(result.isError, `${tool.name}: ${JSON.stringify(result.content)}`).toBeFalsy();
      const verdict = validator.getValidator(tool.outputSchema!)(result.structuredContent);
      expect([tool.name, verdict.valid, verdict.errorMessage]).toEqual([tool.name, true, undefined]);
      // The text block carries the same JSON for clients that do not read structured content.
      expect(JSON.parse((result.content as { text: string }[])[0]!.text)).toEqual(result.structuredContent);
    }
    // The schemas say what the agents rely on: e.g. a fact's source and a lead's stage are always there.
    const knowledge = tools.find((t) => t.name === "knowledge_query")!.outputSchema as any;
    expect(knowledge.properties.hits.items.required).toEqual(expect.arrayContaining(["source", "subject"]));
    await client.close();
  });

  it("rejects unknown tool-input fields", async () => {
    const client = await connect(marketer);
    const result = await client.callTool({ name: "lead_get", arguments: { id: leadId, extra: 1 } });
    expect(result.isError).toBe(true);
    expect(JSON.stringify(result.content)).toMatch(/Input validation error/);
    await client.close();
  });

  it("reads each resource", async () => {
    const client = await connect(marketer);
    const lead = await client.readResource({ uri: `lead://${leadId}` });
    expect(JSON.parse((lead.contents[0] as { text: string }).text)).toMatchObject({
      id: leadId,
      company: "Acme",
    });
    const campaign = await client.readResource({ uri: `campaign://${campaignId}` });
    expect(JSON.parse((campaign.contents[0] as { text: string }).text).campaign.name).toBe("Spring");
    const segments = await client.readResource({ uri: "segment://summary" });
    const summary = JSON.parse((segments.contents[0] as { text: string }).text);
    expect(summary.segments).toEqual([
      expect.objectContaining({ segment: "reference/unscored", leads: 1, byStage: { contacted: 1 } }),
    ]);
    await expect(client.readResource({ uri: `lead://${otherTenantLeadId}` })).rejects.toThrow(/not found/);
    await client.close();
  });

  it("refuses a call outside the caller's permissions with insufficient_scope, and audits it", async () => {
    const client = await connect(viewer);
    const refused = await client
      .callTool({ name: "lead_update_stage", arguments: { id: leadId, stage: "qualified" } })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(McpError);
    expect(refused).toMatchObject({
      code: -32003,
      data: { error: "insufficient_scope", scope: "leads:write" },
    });
    await expect(
      client.callTool({ name: "outcome_record", arguments: { idempotencyKey: "x", leadId, event: "sent" } }),
    ).rejects.toMatchObject({ code: -32003, data: { scope: "outcomes:write" } });
    // Reads the viewer may make still work.
    expect(json(await client.callTool({ name: "lead_get", arguments: { id: leadId } }))["lead"].id).toBe(
      leadId,
    );
    await client.close();
    await deps.flushAudit();
    const entries = await auditEntries(database.db, { tenantId: "acme", actor: "vic", limit: 10 });
    expect(entries.map((e) => [e.method, e.result])).toEqual(
      expect.arrayContaining([
        ["mcp.tool.lead_update_stage", "denied"],
        ["mcp.tool.outcome_record", "denied"],
        ["mcp.tool.lead_get", "ok"],
      ]),
    );
  });

  it("gives each agent only its allowlisted tools, refused before the server", async () => {
    const clients = inProcessAgentClients(deps);
    try {
      const triage = clients.for("triage", "acme");
      expect((await triage.call("lead_get", { id: leadId }))?.["lead"]).toMatchObject({ id: leadId });
      // The type system already refuses this; a cast shows the runtime check holds too.
      await expect(
        triage.call("lead_update_stage" as "lead_get", { id: leadId, stage: "qualified" }),
      ).rejects.toBeInstanceOf(McpAccessError);
      const optimization = clients.for("optimization", "acme");
      expect((await optimization.call("campaign_metrics", { campaignId }))?.["totals"]).toMatchObject({
        conversions: 7,
      });
      await deps.flushAudit();
      const entries = await auditEntries(database.db, {
        tenantId: "acme",
        actor: "agent:triage",
        limit: 10,
      });
      expect(entries.map((e) => [e.method, e.target, e.result])).toEqual([
        ["mcp.tool.lead_get", leadId, "ok"],
      ]);
    } finally {
      await clients.close();
    }
  });
});
