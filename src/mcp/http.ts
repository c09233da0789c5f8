import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest, type JSONRPCMessage } from "@modelcontextprotocol/sdk/types.js";
import type { Context, Hono } from "hono";
import { can, type Principal, rolePermissions } from "../auth/permissions.js";
import type { McpDeps } from "./context.js";
import { auditDenied, PermissionGate, requiredPermission } from "./gate.js";
import { createMcpServer, PRINCIPAL_KEY, principalSource } from "./server.js";
import { McpSessions, newSessionId } from "./sessions.js";

export interface McpHttpOptions {
  deps: McpDeps;
  /** The authenticated caller (the auth middleware ran before this route), or the local operator. */
  principalOf: (c: Context) => Principal;
  maxBodyBytes: number;
  /**
   * Browser origins allowed (exact match); any other `Origin` is refused with 403. Absent: the server's
   * security layer checked the origin already (it mounts its origin guard on `/mcp`).
   */
  allowedOrigins?: readonly string[];
  /** Sessions one user may hold on this replica; the oldest is closed beyond. Default 16. */
  maxSessionsPerUser?: number;
  shutdownSignal?: AbortSignal;
  path?: string;
}

/** A JSON-RPC error as an HTTP response, `id` echoed when known. */
function errorResponse(
  status: number,
  code: number,
  message: string,
  options: { id?: string | number | null; data?: unknown; headers?: Record<string, string> } = {},
): Response {
  return new Response(
    JSON.stringify({
      jsonrpc: "2.0",
      error: { code, message, ...(options.data === undefined ? {} : { data: options.data }) },
      id: options.id ?? null,
    }),
    { status, headers: { "content-type": "application/json", ...options.headers } },
  );
}

/** Reads at most `max` bytes of the body; null when it is longer (chunked bodies have no Content-Length). */
async function readCapped(request: Request, max: number): Promise<string | null> {
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/**
 * MCP over Streamable HTTP at `/mcp` (spec 2025-11-25, "Transports"), in front of the SDK's web-standard
 * transport. Before the SDK sees a request: Origin allowlist (403), body cap (413), session lookup keyed by
 * owner (a session id is not a credential: another user's id is 404, and authentication ran already), and
 * the permission check of each `tools/call` / `resources/read` (403 with an RFC 6750 `insufficient_scope`
 * challenge naming only the permission needed, and an audit entry). Protocol-version and session-header
 * rules (400) are the SDK's.
 */
export function mountMcpHttp(app: Hono, options: McpHttpOptions): McpSessions {
  const path = options.path ?? "/mcp";
  const allowed = options.allowedOrigins ? new Set(options.allowedOrigins) : undefined;
  const sessions = new McpSessions(options.maxSessionsPerUser ?? 16);
  options.shutdownSignal?.addEventListener("abort", () => void sessions.closeAll(), { once: true });

  app.all(path, async (c) => {
    const origin = c.req.header("origin");
    if (allowed && origin !== undefined && !allowed.has(origin)) {
      return errorResponse(403, -32003, "Forbidden: origin not allowed");
    }
    if (!["GET", "POST", "DELETE"].includes(c.req.method)) {
      return errorResponse(405, -32000, "Method not allowed", { headers: { allow: "GET, POST, DELETE" } });
    }
    const principal = options.principalOf(c);
    let parsedBody: unknown;
    if (c.req.method === "POST") {
      const declared = Number(c.req.header("content-length") ?? "0");
      if (declared > options.maxBodyBytes) return errorResponse(413, -32000, "Payload too large");
      const text = await readCapped(c.req.raw, options.maxBodyBytes);
      if (text === null) return errorResponse(413, -32000, "Payload too large");
      try {
        parsedBody = JSON.parse(text);
      } catch {
        return errorResponse(400, -32700, "Parse error");
      }
      const refusal = refuseMissingScope(parsedBody, principal, options.deps);
      if (refusal) return refusal;
    }
    const authInfo = {
      // The bearer token itself stays here: nothing behind this route needs it (no token passthrough).
      token: "",
      clientId: principal.subject,
      scopes: [...rolePermissions[principal.role]],
      extra: { [PRINCIPAL_KEY]: principal },
    };

    const sessionId = c.req.header("mcp-session-id");
    if (sessionId !== undefined) {
      const session = sessions.get(principal, sessionId);
      if (!session) return errorResponse(404, -32001, "Session not found");
      return session.transport.handleRequest(c.req.raw, { parsedBody, authInfo });
    }
    const messages = Array.isArray(parsedBody) ? parsedBody : [parsedBody];
    if (c.req.method !== "POST" || !messages.some((m) => isInitializeRequest(m))) {
      return errorResponse(400, -32000, "Bad Request: Mcp-Session-Id header is required");
    }
    const server = createMcpServer(options.deps, principal);
    const transport: WebStandardStreamableHTTPServerTransport = new WebStandardStreamableHTTPServerTransport({
      sessionIdGenerator: newSessionId,
      // Tool calls are short: one JSON answer per POST; notifications still flow on the GET stream.
      enableJsonResponse: true,
      onsessioninitialized: (id): void =>
        sessions.add(principal, id, { transport, server, lastUsed: Date.now() }),
      onsessionclosed: (id): void => sessions.remove(principal, id),
    });
    await server.connect(new PermissionGate(transport, principalSource(principal), options.deps.audit));
    // After connect: the gate installed its own onclose on the transport; chain ours behind it.
    const onclose = transport.onclose;
    transport.onclose = () => {
      onclose?.();
      if (transport.sessionId) sessions.remove(principal, transport.sessionId);
    };
    return transport.handleRequest(c.req.raw, { parsedBody, authInfo });
  });
  return sessions;
}

/**
 * MCP authorization (spec 2025-11-25 §"Scope challenge handling"): a request needing a permission the
 * caller's role lacks is answered 403 with `WWW-Authenticate: Bearer error="insufficient_scope"` and the
 * one scope it needs.
 */
function refuseMissingScope(body: unknown, principal: Principal, deps: McpDeps): Response | undefined {
  for (const message of Array.isArray(body) ? body : [body]) {
    const required = requiredPermission(message as JSONRPCMessage);
    if (!required || can(principal, required.permission)) continue;
    const id = (message as { id: string | number }).id;
    auditDenied(deps.audit, principal, required, id);
    return errorResponse(403, -32003, `insufficient_scope: requires ${required.permission}`, {
      id,
      data: { error: "insufficient_scope", scope: required.permission },
      headers: {
        "www-authenticate": `Bearer error="insufficient_scope", scope="${required.permission}", error_description="requires ${required.permission}"`,
      },
    });
  }
  return undefined;
}
