import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { type Config, databaseUrlOf } from "../config.js";
import { resolveKeyring } from "../db/pii/resolve.js";
import { createMarketingSystem } from "../index.js";
import { createLogger } from "../logger.js";
import { localOperator, type Principal, type Role } from "../server/auth/permissions.js";

export interface McpCommandOptions {
  role?: Role;
  tenant?: string;
  subject?: string;
}

/**
 * `marketing-agents mcp`: the MCP server on stdin/stdout for desktop clients (Claude Desktop, IDEs), which
 * start it as a child process. stdout carries only MCP messages: logs go to stderr. The caller is the
 * local operator (whoever can start the process can read the database anyway), narrowed by `--role` and
 * `--tenant` so a desktop assistant can be given, say, a viewer's reach into one tenant.
 */
export async function mcpCommand(config: Config, options: McpCommandOptions): Promise<void> {
  const log = createLogger(config.LOG_LEVEL);
  const principal: Principal = {
    subject: options.subject ?? localOperator.subject,
    role: options.role ?? localOperator.role,
    tenantId: options.tenant ?? localOperator.tenantId,
  };
  const url = databaseUrlOf(config);
  const system = await createMarketingSystem({
    database: url,
    pii: await resolveKeyring(config, url),
    logger: log,
  });
  const transport = new StdioServerTransport();
  let closing: Promise<void> | undefined;
  const shutdown = () => {
    closing ??= (async () => {
      await transport.close().catch(() => undefined);
      await system.close();
    })();
    return closing;
  };
  // The client ends the session by closing our stdin (MCP stdio transport, "Shutdown").
  process.stdin.once("end", () => void shutdown());
  process.once("SIGTERM", () => void shutdown());
  process.once("SIGINT", () => void shutdown());
  await system.mcp.serve(transport, principal);
  log.info(
    { role: principal.role, tenant: principal.tenantId, database: system.database.describe },
    "MCP server on stdio",
  );
  await new Promise<void>((resolve) => {
    transport.onclose = () => resolve();
    process.stdin.once("end", () => resolve());
  });
  await shutdown();
}
