import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * `marketing-agents mcp` as a desktop MCP client runs it: a child process on stdio, driven by the SDK's
 * own client. Any byte on stdout that is not an MCP message would break the client, so this also proves
 * the logs stay on stderr.
 */
let client: Client;
let stderr = "";

beforeAll(async () => {
  const transport = new StdioClientTransport({
    command: process.execPath,
    args: [
      "--import",
      "tsx",
      "src/cli/main.ts",
      "mcp",
      "--role",
      "viewer",
      "--tenant",
      "acme",
      "--subject",
      "desk",
    ],
    env: { ...(process.env as Record<string, string>), DATABASE_URL: "memory://", LOG_LEVEL: "info" },
    stderr: "pipe",
  });
  transport.stderr?.on("data", (chunk: Buffer) => {
    stderr += chunk.toString();
  });
  client = new Client({ name: "stdio-test", version: "1.0.0" });
  // Starting tsx and a fresh in-memory database is slow on a loaded machine: allow more than the SDK's 60 s.
  await client.connect(transport, { timeout: 170_000 });
}, 180_000);

afterAll(async () => {
  await client?.close();
});

describe("marketing-agents mcp (stdio)", () => {
  it("lists the tools and resources", async () => {
    expect((await client.listTools()).tools.map((t) => t.name)).toContain("knowledge_query");
    expect((await client.listResources()).resources.map((r) => r.uri)).toContain("segment://summary");
    expect((await client.listResourceTemplates()).resourceTemplates).toHaveLength(2);
  });

  it("serves reads within the given role and tenant", async () => {
    const found = await client.callTool({ name: "leads_search", arguments: {} });
    expect(found.structuredContent).toEqual({ leads: [] });
    const missing = await client.callTool({
      name: "lead_get",
      arguments: { id: "00000000-0000-4000-8000-000000000000" },
    });
    expect(missing.isError).toBe(true);
    const summary = await client.readResource({ uri: "segment://summary" });
    expect(JSON.parse((summary.contents[0] as { text: string }).text)).toEqual({ segments: [] });
  });

  it("refuses what the role does not permit, with insufficient_scope", async () => {
    await expect(
      client.callTool({
        name: "lead_update_stage",
        arguments: { id: "00000000-0000-4000-8000-000000000000", stage: "qualified" },
      }),
    ).rejects.toMatchObject({ code: -32003, data: { error: "insufficient_scope", scope: "leads:write" } });
  });

  it("logs on stderr", () => {
    expect(stderr).toMatch(/MCP server on stdio/);
  });
});
