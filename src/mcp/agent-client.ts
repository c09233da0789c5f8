import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { InMemoryTransport } from "@modelcontextprotocol/sdk/inMemory.js";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";
import type { Principal } from "../auth/permissions.js";
import type { LeadInput } from "../db/lead-input.js";
import { VERSION } from "../version.js";
import type { McpDeps } from "./context.js";
import type { CrmLead } from "./crm/connector.js";
import { crmLeadToInput } from "./crm/lead-input.js";
import { McpAccessError, McpAccessErrorCode } from "./errors.js";
import { serveMcp } from "./server.js";
import type { ToolName } from "./tools/catalogue.js";

/** The agents that read data through MCP (the graph's node ids; named here because mcp sits below agents). */
export type AgentName = "triage" | "engagement" | "optimization";

/**
 * What each agent may call: least privilege per role. The server still checks the agent principal's
 * permissions; the allowlist narrows further, so a prompt-injected engagement agent cannot move a lead's
 * stage or record outcomes even though the `agent` role could.
 */
export const AGENT_TOOLS = {
  triage: ["lead_get", "leads_search"],
  engagement: ["lead_get", "memory_search", "knowledge_query"],
  optimization: ["campaign_metrics"],
} as const satisfies Record<AgentName, readonly ToolName[]>;

export type AgentTool<A extends AgentName> = (typeof AGENT_TOOLS)[A][number];

/** One agent's view of the data: only its allowlisted tools, for one tenant. */
export interface AgentDataClient<A extends AgentName = AgentName> {
  readonly agent: A;
  /**
   * Calls a tool and returns its structured result; `null` when the tool reports an error result (e.g. the
   * record does not exist). Throws `McpAccessError` (`tool_not_allowed`) for a tool outside the allowlist,
   * before anything is sent.
   */
  call(tool: AgentTool<A>, args: Record<string, unknown>): Promise<Record<string, unknown> | null>;
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
      const result = (await (await client).callTool({ name: tool, arguments: args })) as CallToolResult;
      if (result.isError) return null;
      return (result.structuredContent as Record<string, unknown> | undefined) ?? null;
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

/**
 * The triage agent's read of a stored lead, through its MCP client (`lead_get`): authorized against the
 * agent's role and allowlist, scoped to the run's tenant, and in the audit log as `agent:triage`.
 */
export function triageLeadReader(clients: AgentClients) {
  return async (tenantId: string, leadId: string): Promise<(LeadInput & { id: string }) | null> => {
    const found = await clients.for("triage", tenantId).call("lead_get", { id: leadId });
    return found ? crmLeadToInput(found["lead"] as CrmLead) : null;
  };
}
