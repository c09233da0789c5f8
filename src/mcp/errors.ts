import { McpError } from "@modelcontextprotocol/sdk/types.js";
import type { Permission } from "../auth/permissions.js";

/**
 * JSON-RPC error codes this MCP server adds to the protocol's own. Same numbers as the JSON-RPC server
 * (`src/server/rpc/errors.ts`), so a client sees one vocabulary on `/rpc` and `/mcp`.
 */
export const McpCode = {
  /** The caller's role lacks the tool's or resource's permission (OAuth's `insufficient_scope`). */
  Forbidden: -32003,
  /** The tenant has no such record. */
  NotFound: -32004,
} as const;

/** The permission a caller lacks; carried as `data` so a client can name the scope to ask for. */
export function insufficientScope(permission: Permission): McpError {
  return new McpError(McpCode.Forbidden, `insufficient_scope: requires ${permission}`, {
    error: "insufficient_scope",
    scope: permission,
  });
}

export const McpAccessErrorCode = {
  /** The agent's allowlist does not hold the tool: refused in the client, before any request is sent. */
  ToolNotAllowed: "tool_not_allowed",
  /** The tool answered with an error result. */
  ToolFailed: "tool_failed",
} as const;
export type McpAccessErrorCode = (typeof McpAccessErrorCode)[keyof typeof McpAccessErrorCode];

export class McpAccessError extends Error {
  constructor(
    readonly code: McpAccessErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "McpAccessError";
  }
}

/** A record the tenant does not have: a tool error result (not a protocol error), as the spec asks. */
export class NotFoundError extends Error {
  constructor(
    readonly kind: string,
    readonly id: string,
  ) {
    super(`${kind} ${id} not found`);
    this.name = "NotFoundError";
  }
}
