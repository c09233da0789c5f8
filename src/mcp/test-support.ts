import { defaultTriagePolicy } from "../agents/triage/classify.js";
import { loadDefaultTriageModel } from "../agents/triage/model.js";
import { runTriageOffline } from "../agents/triage/node.js";
import type { Database } from "../db/client.js";
import { createAuditWriter } from "../server/audit/writer.js";
import type { McpDeps } from "./context.js";
import { createMcpDeps } from "./deps.js";

/**
 * MCP dependencies for tests on a test database, with the real audit writer (flush before reading the
 * audit table) and the shipped triage model. Test-only: imported by `*.test.ts` files beside it.
 */
export function testMcpDeps(database: Database): McpDeps & { flushAudit(): Promise<void> } {
  const writer = createAuditWriter(database.db);
  const model = loadDefaultTriageModel();
  const deps = createMcpDeps({
    db: database.db,
    audit: writer,
    triage: async (lead) => {
      const { result, handoff } = runTriageOffline({ lead }, { model, policy: defaultTriagePolicy });
      return { ...result, handoff };
    },
  });
  return { ...deps, flushAudit: () => writer.flush() };
}
