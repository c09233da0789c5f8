import type { Db } from "../db/client.js";
import { createMemory, type Memory } from "../memory/service.js";
import type { McpAuditSink, McpDeps } from "./context.js";
import type { CrmConnector } from "./crm/connector.js";
import { ownTablesConnector } from "./crm/own-tables.js";

export interface McpDepsOptions {
  db: Db;
  audit: McpAuditSink;
  /** Scores a lead; the entry point passes the system's triage model and policy. */
  triage: McpDeps["triage"];
  /** Default: the project's own tables. A HubSpot/Salesforce connector goes here (docs/mcp.md). */
  crm?: CrmConnector;
  /** Default: adaptive memory on `db` with the offline embedder. */
  memory?: Memory;
  /** The read-only tools' dependencies on a SELECT-only role (see `McpDeps.reader`). */
  reader?: McpDeps["reader"];
  logError?: McpDeps["logError"];
}

/** The MCP server's dependencies with the defaults filled in. Holds no connections: `db` is the caller's. */
export function createMcpDeps(options: McpDepsOptions): McpDeps {
  return {
    crm: options.crm ?? ownTablesConnector(options.db),
    memory: options.memory ?? createMemory({ db: options.db }),
    triage: options.triage,
    audit: options.audit,
    ...(options.reader ? { reader: options.reader } : {}),
    ...(options.logError ? { logError: options.logError } : {}),
  };
}
