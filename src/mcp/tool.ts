import type { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { type CallToolResult, McpError } from "@modelcontextprotocol/sdk/types.js";
import type { z } from "zod";
import { can, type Permission, type Principal } from "../auth/permissions.js";
import { MemoryError } from "../memory/errors.js";
import type { McpDeps, PrincipalSource } from "./context.js";
import { insufficientScope, McpAccessError, NotFoundError } from "./errors.js";

/** What a tool's body sees: the caller and the injected dependencies. */
export interface ToolContext {
  principal: Principal;
  deps: McpDeps;
}

/**
 * One MCP tool, declared once: its name, description, annotations, zod input (strict: unknown fields are
 * rejected), zod output and required permission. Registration, authorization, audit and the catalogue the
 * agents' allowlists and the transport gate read all come from this declaration.
 */
export interface ToolSpec<S extends z.ZodObject = z.ZodObject, O extends z.ZodObject = z.ZodObject> {
  name: string;
  title: string;
  description: string;
  permission: Permission;
  input: S;
  /**
   * The structured result (`outputSchema` in `tools/list`). What `run` returns is parsed with it before it
   * is sent: the client gets exactly these fields, and a result that does not fit is an error, not data.
   */
  output: O;
  annotations: {
    readOnlyHint: boolean;
    destructiveHint: boolean;
    idempotentHint: boolean;
    openWorldHint: boolean;
  };
  /** The record the call is about, for the audit entry (never personal data: ids only). */
  target?: (args: z.infer<S>) => string | undefined;
  run(args: z.infer<S>, ctx: ToolContext): Promise<z.input<O>>;
}

/** A declared tool: registrable as any `ToolSpec`, and still carrying its name, input and output types. */
export type DefinedTool<N extends string, S extends z.ZodObject, O extends z.ZodObject> = ToolSpec & {
  readonly name: N;
  readonly input: S;
  readonly output: O;
};

export function defineTool<N extends string, S extends z.ZodObject, O extends z.ZodObject>(
  spec: ToolSpec<S, O> & { name: N },
): DefinedTool<N, S, O> {
  return spec as unknown as DefinedTool<N, S, O>;
}

/** A tool's result did not fit its output schema: our bug, reported as a tool error without the data. */
export class ToolOutputError extends Error {
  constructor(tool: string, error: z.ZodError) {
    const paths = [...new Set(error.issues.map((i) => i.path.join(".") || "(root)"))].slice(0, 5);
    super(`tool ${tool} produced a result that does not match its output schema (at ${paths.join(", ")})`);
    this.name = "ToolOutputError";
  }
}

/**
 * Where an error result says what kind of error it is (`_meta`), so a client can tell a record the tenant
 * does not have ("not_found") from a failure without parsing the text.
 */
export const TOOL_ERROR_META = "marketing-agents/error";

/**
 * Errors whose message is written for the caller (protocol errors, refusals, memory's own errors such as
 * an embedder mismatch, a result that did not fit its schema): passed on as they are. Anything else is a
 * failure of ours and reaches the client only as "internal error".
 */
function isCallerError(error: unknown): boolean {
  return (
    error instanceof McpError ||
    error instanceof McpAccessError ||
    error instanceof MemoryError ||
    error instanceof ToolOutputError
  );
}

/** Audit method name of a tool call: identifier-like, as the audit log requires. */
export const toolAuditMethod = (name: string) => `mcp.tool.${name}`;

export function registerTool(
  server: McpServer,
  spec: ToolSpec,
  deps: McpDeps,
  principalOf: PrincipalSource,
): void {
  // Read-only tools work on the SELECT-only role's dependencies when there are some (`McpDeps.reader`).
  const toolDeps = spec.annotations.readOnlyHint && deps.reader ? { ...deps, ...deps.reader } : deps;
  server.registerTool(
    spec.name,
    {
      title: spec.title,
      description: `${spec.description} Requires permission ${spec.permission}.`,
      inputSchema: spec.input,
      outputSchema: spec.output,
      annotations: { title: spec.title, ...spec.annotations },
    },
    async (args: Record<string, unknown>, extra): Promise<CallToolResult> => {
      const principal = principalOf(extra);
      const audit = (result: "ok" | "error" | "denied") =>
        deps.audit.record({
          at: new Date(),
          tenantId: principal.tenantId,
          actor: principal.subject,
          role: principal.role,
          method: toolAuditMethod(spec.name),
          target: spec.target?.(args) ?? null,
          result,
          requestId: String(extra.requestId),
        });
      // The transport gate refuses first; this second check keeps a server used without the gate safe.
      if (!can(principal, spec.permission)) {
        audit("denied");
        throw insufficientScope(spec.permission);
      }
      try {
        const parsed = spec.output.safeParse(await spec.run(args, { principal, deps: toolDeps }));
        if (!parsed.success) throw new ToolOutputError(spec.name, parsed.error);
        const result = parsed.data as Record<string, unknown>;
        audit("ok");
        // The text block is the same JSON, for clients that do not read structured content.
        return { content: [{ type: "text", text: JSON.stringify(result) }], structuredContent: result };
      } catch (error) {
        audit("error");
        // A missing record is the caller's business (a tool error it can read); anything else is ours.
        if (error instanceof NotFoundError) {
          return {
            isError: true,
            content: [{ type: "text", text: error.message }],
            _meta: { [TOOL_ERROR_META]: "not_found" },
          };
        }
        if (isCallerError(error)) throw error;
        // Ours: logged in full, told to the client without internals (a failed query's message carries
        // its SQL and parameters, personal data among them).
        const requestId = String(extra.requestId);
        deps.logError?.(error, { tool: spec.name, requestId });
        return {
          isError: true,
          content: [
            {
              type: "text",
              text: `internal error in ${spec.name} (request ${requestId}); it is logged on the server`,
            },
          ],
          _meta: { [TOOL_ERROR_META]: "internal" },
        };
      }
    },
  );
}
