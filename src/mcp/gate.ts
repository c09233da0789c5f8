import type { Transport, TransportSendOptions } from "@modelcontextprotocol/sdk/shared/transport.js";
import {
  isJSONRPCRequest,
  type JSONRPCMessage,
  type MessageExtraInfo,
} from "@modelcontextprotocol/sdk/types.js";
import { can, type Permission, type Principal } from "../auth/permissions.js";
import type { McpAuditSink, PrincipalSource } from "./context.js";
import { insufficientScope } from "./errors.js";
import { resourceAuditMethod, resourcePermission } from "./resources.js";
import { toolAuditMethod } from "./tool.js";
import { toolByName } from "./tools/catalogue.js";

/** The permission a request needs and how the audit log names it; undefined for requests anyone may make. */
export function requiredPermission(
  message: JSONRPCMessage,
): { permission: Permission; method: string; target: string | null } | undefined {
  if (!isJSONRPCRequest(message)) return undefined;
  const params = (message.params ?? {}) as { name?: unknown; uri?: unknown; arguments?: unknown };
  if (message.method === "tools/call" && typeof params.name === "string") {
    const tool = toolByName.get(params.name);
    if (!tool) return undefined; // the server answers "not found"
    return { permission: tool.permission, method: toolAuditMethod(tool.name), target: null };
  }
  if (message.method === "resources/read" && typeof params.uri === "string") {
    const permission = resourcePermission(params.uri);
    if (!permission) return undefined;
    return { permission, method: resourceAuditMethod(params.uri), target: null };
  }
  return undefined;
}

/** Records a refused request in the audit log. */
export function auditDenied(
  audit: McpAuditSink,
  principal: Principal,
  required: { method: string; target: string | null },
  requestId: string | number,
): void {
  audit.record({
    at: new Date(),
    tenantId: principal.tenantId,
    actor: principal.subject,
    role: principal.role,
    method: required.method,
    target: required.target,
    result: "denied",
    requestId: String(requestId),
  });
}

/**
 * A transport in front of the MCP server that refuses a `tools/call` or `resources/read` the caller's role
 * does not permit, before the server sees it: the answer is a JSON-RPC error (-32003, `insufficient_scope`,
 * naming only the needed permission) rather than the tool-error result the SDK's McpServer would make of a
 * thrown error. One place for every transport (in-memory, stdio, Streamable HTTP).
 */
export class PermissionGate implements Transport {
  onclose?: () => void;
  onerror?: (error: Error) => void;
  onmessage?: <T extends JSONRPCMessage>(message: T, extra?: MessageExtraInfo) => void;

  constructor(
    private readonly inner: Transport,
    private readonly principalOf: PrincipalSource,
    private readonly audit: McpAuditSink,
  ) {}

  get sessionId(): string | undefined {
    return this.inner.sessionId;
  }

  setProtocolVersion(version: string): void {
    this.inner.setProtocolVersion?.(version);
  }

  async start(): Promise<void> {
    this.inner.onclose = () => this.onclose?.();
    this.inner.onerror = (error) => this.onerror?.(error);
    this.inner.onmessage = (message, extra) => {
      const required = requiredPermission(message);
      if (required && isJSONRPCRequest(message)) {
        const principal = this.principalOf(extra);
        if (!can(principal, required.permission)) {
          auditDenied(this.audit, principal, required, message.id);
          const error = insufficientScope(required.permission);
          void this.inner
            .send(
              {
                jsonrpc: "2.0",
                id: message.id,
                error: { code: error.code, message: error.message, data: error.data },
              },
              { relatedRequestId: message.id },
            )
            .catch((cause: unknown) =>
              this.onerror?.(cause instanceof Error ? cause : new Error(String(cause))),
            );
          return;
        }
      }
      this.onmessage?.(message, extra);
    };
    await this.inner.start();
  }

  send(message: JSONRPCMessage, options?: TransportSendOptions): Promise<void> {
    return this.inner.send(message, options);
  }

  close(): Promise<void> {
    return this.inner.close();
  }
}
