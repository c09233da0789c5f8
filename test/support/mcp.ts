import { defaultTriagePolicy } from "../../src/agents/triage/classify.js";
import { loadDefaultTriageModel } from "../../src/agents/triage/model.js";
import { runTriageOffline } from "../../src/agents/triage/node.js";
import type { Database, Db } from "../../src/db/client.js";
import type { McpDeps } from "../../src/mcp/context.js";
import { createMcpDeps } from "../../src/mcp/deps.js";
import { listEntries } from "../../src/server/audit/store.js";
import { createAuditWriter } from "../../src/server/audit/writer.js";

/**
 * MCP test support: the server's dependencies on a test database with the real audit writer (flush before
 * reading the audit table) and the shipped triage model, and a reader of the audit log. Lives under `test/`
 * because it wires layers above `src/mcp` (the server's audit log, the triage agent) into it.
 */
export function testMcpDeps(database: Database): McpDeps & { flushAudit(): Promise<void> } {
  const writer = createAuditWriter(database.db);
  const model = loadDefaultTriageModel();
  const deps = createMcpDeps({
    db: database.db,
    audit: writer,
    triage: async (_tenantId, lead) => {
      const { result, handoff } = runTriageOffline({ lead }, { model, policy: defaultTriagePolicy });
      // Only a message without a lead has no result; MCP always passes a lead.
      if (!result) throw new Error("triage produced no result for a lead");
      return { ...result, handoff };
    },
  });
  return { ...deps, flushAudit: () => writer.flush() };
}

export type AuditEntry = Awaited<ReturnType<typeof listEntries>>[number];

/**
 * An actor's audit entries in a tenant, newest first. The audit writer works in the background, so with
 * `atLeast` this polls (up to 5 s) until that many entries are written.
 */
export async function auditEntries(
  db: Db,
  query: { tenantId: string; actor: string; limit?: number },
  atLeast = 0,
): Promise<AuditEntry[]> {
  const read = () => listEntries(db, { limit: 20, ...query });
  let entries = await read();
  for (let i = 0; i < 50 && entries.length < atLeast; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    entries = await read();
  }
  return entries;
}
