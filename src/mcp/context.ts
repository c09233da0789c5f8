import type { Principal } from "../auth/permissions.js";
import type { LeadInput } from "../db/lead-input.js";
import type { Embedder } from "../memory/embeddings.js";
import type { Memory } from "../memory/service.js";
import type { CrmConnector } from "./crm/connector.js";
import type { TriageOutput } from "./tools/outputs.js";

/** One audit entry; structurally the audit log's `AuditFields`, so its writer plugs in as is. */
export interface McpAuditEntry {
  at: Date;
  tenantId: string;
  actor: string;
  role: string | null;
  method: string;
  target: string | null;
  result: "ok" | "error" | "denied";
  requestId: string | null;
}

/** Where MCP calls are recorded: the server's audit writer (`security.audit.writer`). */
export interface McpAuditSink {
  record(entry: McpAuditEntry): void;
}

/**
 * What the MCP tools and resources work with, injected by the entry point (`createMarketingSystem`, the
 * `mcp` CLI command). The MCP layer creates none of these and closes none of them.
 */
export interface McpDeps {
  crm: CrmConnector;
  memory: Memory;
  /**
   * What the read-only tools (`readOnlyHint`) use instead, when set: the same dependencies on a SELECT-only
   * database role (`DATABASE_READER_ROLE`), so a read path cannot write whatever it is made to do.
   */
  reader?: Pick<McpDeps, "crm" | "memory">;
  /**
   * Receives a tool's unexpected failure (the client gets a generic error naming the request, never the
   * message: a failed query's text carries SQL and its parameters).
   */
  logError?: (error: unknown, context: { tool: string; requestId: string }) => void;
  /** Scores a lead with the system's triage model and policy (offline core; no LLM from MCP). */
  triage: (tenantId: string, lead: LeadInput & { id: string }) => Promise<TriageOutput>;
  audit: McpAuditSink;
  embedder?: Embedder;
  clock?: () => Date;
}

/** The caller a server instance is bound to, unless a request carries its own verified principal. */
export type PrincipalSource = (
  extra: { authInfo?: { extra?: Record<string, unknown> } } | undefined,
) => Principal;
