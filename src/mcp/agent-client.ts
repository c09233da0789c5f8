import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../auth/permissions.js";
import { VERSION } from "../version.js";
import type { McpDeps } from "./context.js";
import { McpAccessError, McpAccessErrorCode } from "./errors.js";
import { serveMcp } from "./server.js";
import { TOOL_ERROR_META } from "./tool.js";
import { type ToolInput, type ToolName, type ToolOutput, toolByName } from "./tools/catalogue.js";

/** The agents that read data through MCP (the graph's node ids; named here because mcp sits below agents). */
export type AgentName = "triage" | "engagement" | "optimization";

/**
 * What each agent may call: least privilege per role. The server still checks the agent principal's
 * permissions; the allowlist narrows further, so a prompt-injected engagement agent cannot move a lead's
 * stage or record outcomes even though the `agent` role could.
 */
export const AGENT_TOOLS = {
  triage: ["lead_get", "leads_search"],
  engagement: ["lead_get", "memory_search", "knowledge_query", "episodes_similar"],
  optimization: ["campaigns_list", "campaign_metrics", "variant_stats"],
} as const satisfies Record<AgentName, readonly ToolName[]>;

export type AgentTool<A extends AgentName> = (typeof AGENT_TOOLS)[A][number];

/** One agent's view of the data: only its allowlisted tools, for one tenant. */
export interface AgentDataClient<A extends AgentName = AgentName> {
  readonly agent: A;
  /**
   * Calls a tool and returns its structured result, checked against the tool's output schema; `null` when
   * the record does not exist. Throws `McpAccessError`: `tool_not_allowed` for a tool outside the
   * allowlist (before anything is sent), `tool_failed` for any other error result or a result that does
   * not fit the schema.
   */
  call<T extends AgentTool<A>>(tool: T, args: ToolInput<T>): Promise<ToolOutput<T> | null>;
}

/** Hands out agent clients per (agent, tenant), connecting lazily and reusing the connection. */
export interface AgentClients {
  for<A extends AgentName>(agent: A, tenantId: string): AgentDataClient<A>;
  /** Closes every connection it opened. */
  close(): Promise<void>;
}

/** The agent's identity towards the data server: role `agent`, its own subject so the audit log names it. */
export const agentPrincipal = (agent: AgentName, tenantId: string): Principal => ({
  subject: `agent:${agent}`,
  role: "agent",
  tenantId,
});

export function agentDataClient<A extends AgentName>(agent: A, client: Promise<Client>): AgentDataClient<A> {
  const allowed: ReadonlySet<string> = new Set(AGENT_TOOLS[agent]);
  return {
    agent,
    async call(tool, args) {
      if (!allowed.has(tool)) {
        throw new McpAccessError(
          McpAccessErrorCode.ToolNotAllowed,
          `agent "${agent}" may not call ${tool} (allowed: ${[...allowed].join(", ")})`,
        );
      }
      const result = (await (
        await client
      ).callTool({
        name: tool,
        arguments: args as Record<string, unknown>,
      })) as CallToolResult;
      if (result.isError) {
        if (result._meta?.[TOOL_ERROR_META] === "not_found") return null;
        const text = result.content.find((c) => c.type === "text")?.text ?? "error result";
        throw new McpAccessError(McpAccessErrorCode.ToolFailed, `${tool}: ${text}`);
      }
      // Checked here too: a remote data server may run another version than this client.
      const parsed = toolByName.get(tool)!.output.safeParse(result.structuredContent);
      if (!parsed.success) {
        throw new McpAccessError(
          McpAccessErrorCode.ToolFailed,
          `${tool}: the result does not match the tool's output schema`,
          { cause: parsed.error },
        );
      }
      return parsed.data as ToolOutput<typeof tool>;
    },
  };
}

function pooled(connect: (agent: AgentName, tenantId: string) => Promise<Client>): AgentClients {
  const clients = new Map<string, Promise<Client>>();
  return {
    for(agent, tenantId) {
      const key = `${agent}\u0000${tenantId}`;
      let client = clients.get(key);
      if (!client) {
        client = connect(agent, tenantId);
        // A failed connection is not cached: the next call tries again.
        client.catch(() => clients.delete(key));
        clients.set(key, client);
      }
      return agentDataClient(agent, client);
    },
    async close() {
      const all = [...clients.values()];
      clients.clear();
      await Promise.allSettled(all.map(async (c) => (await c).close()));
    },
  };
}

const newClient = (agent: AgentName) =>
  new Client({ name: `marketing-agents/${agent}`, version: VERSION }, { capabilities: {} });

/**
 * In-process: each (agent, tenant) gets a server instance bound to its agent principal, linked by the
 * SDK's in-memory transport. Same server code, gate and audit as over HTTP; no sockets.
 */
export function inProcessAgentClients(deps: McpDeps): AgentClients {
  return pooled(async (agent, tenantId) => {
    const [clientSide, serverSide] = InMemoryTransport.createLinkedPair();
    await serveMcp(deps, agentPrincipal(agent, tenantId), serverSide);
    const client = newClient(agent);
    await client.connect(clientSide);
    return client;
  });
}

export interface RemoteAgentClientsOptions {
  /** The data server's MCP endpoint, e.g. `https://data.internal/mcp`. */
  url: string | URL;
  /**
   * A bearer token for the agent in that tenant (role `agent`). The tenant comes from the token: the
   * remote server trusts nothing else.
   */
  token?: (agent: AgentName, tenantId: string) => Promise<string> | string;
  /** Per-request timeout (every outbound call has one). Default 15 s. */
  timeoutMs?: number;
}

/** The same agent clients over Streamable HTTP, when the data server runs elsewhere. */
export function remoteAgentClients(options: RemoteAgentClientsOptions): AgentClients {
  return pooled(async (agent, tenantId) => {
    const token = options.token ? await options.token(agent, tenantId) : undefined;
    const transport: Transport = new StreamableHTTPClientTransport(new URL(options.url), {
      ...(token ? { requestInit: { headers: { authorization: `Bearer ${token}` } } } : {}),
      // Every outbound request has a timeout, except the long-lived GET that carries server notifications.
      fetch: (url, init) =>
        init?.method === "GET"
          ? fetch(url, init)
          : fetch(url, {
              ...init,
              signal: AbortSignal.any([
                AbortSignal.timeout(options.timeoutMs ?? 15_000),
                ...(init?.signal ? [init.signal] : []),
              ]),
            }),
    });
    const client = newClient(agent);
    await client.connect(transport);
    return client;
  });
}
