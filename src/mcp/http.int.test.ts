import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase } from "../../test/support/database.js";
import { auditEntries } from "../../test/support/mcp.js";
import { type SecuredServer, startSecuredServer } from "../../test/support/security-fixtures.js";
import { createCampaign } from "../db/campaigns.js";
import type { Database } from "../db/client.js";
import { upsertLead } from "../db/leads.js";
import { createMarketingSystem, type MarketingSystem } from "../index.js";

/** MCP over Streamable HTTP at /mcp on real listening servers, driven by the SDK's own client and raw fetch. */

let database: Database;
let secured: SecuredServer;
let leadId: string;
let campaignId: string;
const ORIGIN = "https://app.example";

beforeAll(async () => {
  database = await createTestDatabase();
  secured = await startSecuredServer(database, { limits: { allowedOrigins: [ORIGIN] } });
  leadId = (
    await upsertLead(database.db, "acme", { name: "Ada", email: "ada@acme.example", source: "Reference" })
  ).id;
  campaignId = (await createCampaign(database.db, "acme", { name: "Spring", variants: [{ name: "A" }] }))
    .campaign.id;
}, 120_000);

afterAll(async () => {
  await secured?.close();
  await database?.close();
});

const mcpUrl = () => new URL(`${secured.url}/mcp`);

async function connectAs(claims: Record<string, unknown>): Promise<Client> {
  const token = await secured.mint(claims);
  const client = new Client({ name: "http-test", version: "1.0.0" });
  await client.connect(
    new StreamableHTTPClientTransport(mcpUrl(), {
      requestInit: { headers: { authorization: `Bearer ${token}` } },
    }),
  );
  return client;
}

const initialize = JSON.stringify({
  jsonrpc: "2.0",
  id: 1,
  method: "initialize",
  params: { protocolVersion: "2025-11-25", capabilities: {}, clientInfo: { name: "raw", version: "1" } },
});
const listTools = (id = 2) => JSON.stringify({ jsonrpc: "2.0", id, method: "tools/list" });

function post(body: string, headers: Record<string, string> = {}) {
  return fetch(mcpUrl(), {
    method: "POST",
    headers: {
      "content-type": "application/json",
      accept: "application/json, text/event-stream",
      ...headers,
    },
    body,
  });
}

/** Opens a session as the holder of `token` and returns its id. */
async function openSession(token: string): Promise<string> {
  const response = await post(initialize, { authorization: `Bearer ${token}` });
  expect(response.status).toBe(200);
  const id = response.headers.get("mcp-session-id");
  expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
  await response.text();
  const initialized = await post(JSON.stringify({ jsonrpc: "2.0", method: "notifications/initialized" }), {
    authorization: `Bearer ${token}`,
    "mcp-session-id": id!,
  });
  expect(initialized.status).toBe(202);
  return id!;
}

describe("MCP over Streamable HTTP with authentication on", () => {
  it("lists, calls every tool and reads every resource with a marketer's token", async () => {
    const client = await connectAs({ sub: "mia", role: "marketer", tenant: "acme" });
    expect((await client.listTools()).tools).toHaveLength(11);
    const calls: [string, Record<string, unknown>][] = [
      ["leads_search", { text: "ada" }],
      ["lead_get", { id: leadId }],
      ["lead_update_stage", { id: leadId, stage: "engaged" }],
      ["campaigns_list", { limit: 10 }],
      ["campaign_metrics", { campaignId }],
      ["variant_stats", { variantIds: ["email-now-role"] }],
      ["outcome_record", { idempotencyKey: "http-1", leadId, event: "clicked" }],
      ["memory_search", { namespace: [] }],
      ["episodes_similar", { leadId, k: 3 }],
      ["knowledge_query", { query: "Ada" }],
      ["triage_run", { leadId }],
    ];
    for (const [name, args] of calls) {
      const result = await client.callTool({ name, arguments: args });
      expect(result.isError, `${name}: ${JSON.stringify(result.content)}`).toBeFalsy();
    }
    for (const uri of [`lead://${leadId}`, `campaign://${campaignId}`, "segment://summary"]) {
      expect((await client.readResource({ uri })).contents[0]?.mimeType).toBe("application/json");
    }
    await client.close();
  });

  it("refuses a missing token with 401 and a challenge, even with a valid session id", async () => {
    const missing = await post(initialize);
    expect(missing.status).toBe(401);
    expect(missing.headers.get("www-authenticate")).toMatch(/^Bearer realm=/);
    const session = await openSession(await secured.mint({ sub: "ann", tenant: "acme" }));
    const noToken = await post(listTools(), { "mcp-session-id": session });
    expect(noToken.status).toBe(401);
  });

  it("refuses a bad Origin with 403 and accepts the allowlisted one", async () => {
    const token = await secured.mint({ sub: "ann", tenant: "acme" });
    const evil = await post(initialize, { authorization: `Bearer ${token}`, origin: "https://evil.example" });
    expect(evil.status).toBe(403);
    const good = await post(initialize, { authorization: `Bearer ${token}`, origin: ORIGIN });
    expect(good.status).toBe(200);
    expect(good.headers.get("access-control-expose-headers")).toMatch(/mcp-session-id/i);
  });

  it("answers a missing scope with 403 insufficient_scope naming only that scope, and audits it", async () => {
    const client = await connectAs({ sub: "vic", role: "viewer", tenant: "acme" });
    await expect(
      client.callTool({ name: "lead_update_stage", arguments: { id: leadId, stage: "qualified" } }),
    ).rejects.toThrow(/insufficient_scope: requires leads:write/);
    await client.close();
    const token = await secured.mint({ sub: "vic", role: "viewer", tenant: "acme" });
    const session = await openSession(token);
    const response = await post(
      JSON.stringify({
        jsonrpc: "2.0",
        id: 9,
        method: "tools/call",
        params: { name: "outcome_record", arguments: { idempotencyKey: "v", leadId, event: "sent" } },
      }),
      { authorization: `Bearer ${token}`, "mcp-session-id": session, "mcp-protocol-version": "2025-11-25" },
    );
    expect(response.status).toBe(403);
    expect(response.headers.get("www-authenticate")).toBe(
      'Bearer error="insufficient_scope", scope="outcomes:write", error_description="requires outcomes:write"',
    );
    expect(await response.json()).toMatchObject({
      id: 9,
      error: { code: -32003, data: { error: "insufficient_scope", scope: "outcomes:write" } },
    });
    const entries = await auditEntries(database.db, { tenantId: "acme", actor: "vic" }, 2);
    expect(entries.map((e) => [e.method, e.result])).toEqual(
      expect.arrayContaining([
        ["mcp.tool.lead_update_stage", "denied"],
        ["mcp.tool.outcome_record", "denied"],
      ]),
    );
  });

  it("binds a session to its user: another user's replay of the id gets 404 and nothing else", async () => {
    const alice = await secured.mint({ sub: "alice", tenant: "acme" });
    const bob = await secured.mint({ sub: "bob", tenant: "acme" });
    const session = await openSession(alice);
    const replay = await post(listTools(), { authorization: `Bearer ${bob}`, "mcp-session-id": session });
    expect(replay.status).toBe(404);
    expect(await replay.text()).not.toMatch(/lead_get/);
    const stream = await fetch(mcpUrl(), {
      headers: { authorization: `Bearer ${bob}`, accept: "text/event-stream", "mcp-session-id": session },
    });
    expect(stream.status).toBe(404);
    const own = await post(listTools(), { authorization: `Bearer ${alice}`, "mcp-session-id": session });
    expect(own.status).toBe(200);
    expect(await own.text()).toMatch(/lead_get/);
  });

  it("follows the transport rules: 400 without a session, 404 once terminated, 400 for an unknown protocol version, 413 when too large", async () => {
    const token = await secured.mint({ sub: "tess", tenant: "acme" });
    const auth = { authorization: `Bearer ${token}` };
    expect((await post(listTools(), auth)).status).toBe(400);
    const session = await openSession(token);
    const badVersion = await post(listTools(), {
      ...auth,
      "mcp-session-id": session,
      "mcp-protocol-version": "1999-01-01",
    });
    expect(badVersion.status).toBe(400);
    const huge = await post(
      JSON.stringify({ jsonrpc: "2.0", id: 3, method: "tools/list", params: { pad: "x".repeat(2_000_000) } }),
      {
        ...auth,
        "mcp-session-id": session,
      },
    );
    expect(huge.status).toBe(413);
    const deleted = await fetch(mcpUrl(), {
      method: "DELETE",
      headers: { ...auth, "mcp-session-id": session },
    });
    expect(deleted.status).toBe(200);
    expect((await post(listTools(), { ...auth, "mcp-session-id": session })).status).toBe(404);
  });
});

describe("an agent run reads its lead through the MCP client", () => {
  let system: MarketingSystem;
  let server: Awaited<ReturnType<MarketingSystem["listen"]>>;
  beforeAll(async () => {
    system = await createMarketingSystem({ database: await createTestDatabase(), approvalPolicy: "never" });
    server = await system.listen({ port: 0 });
  }, 120_000);
  afterAll(async () => {
    await system?.close();
    await system?.database.close();
  });

  it("serves /mcp without auth to the local operator, and triage's lead_get is in the audit log", async () => {
    const client = new Client({ name: "local", version: "1.0.0" });
    await client.connect(new StreamableHTTPClientTransport(new URL(`${server.url}/mcp`)));
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("lead_get");
    await client.close();
    // Without an origin allowlist, no browser page may call the loopback server.
    const page = await fetch(`${server.url}/mcp`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example" },
      body: initialize,
    });
    expect(page.status).toBe(403);

    const lead = await system.leads.upsert({
      name: "Grace",
      email: "grace@navy.example",
      source: "Reference",
      totalVisits: 9,
    });
    const run = await system.threads.run({ input: { lead: { id: lead.id, name: "Grace" } } });
    expect(run.state.triageResult).not.toBeNull();
    // The audit writer works in the background: poll until the entry is written.
    const entries = await auditEntries(
      system.database.db,
      { tenantId: "default", actor: "agent:triage", limit: 10 },
      1,
    );
    expect(entries.map((e) => [e.method, e.target, e.result, e.role])).toEqual([
      ["mcp.tool.lead_get", lead.id, "ok", "agent"],
    ]);
  });
});
