import type { z } from "zod";
import type { Permission, Principal } from "../auth/permissions.js";

/** What a handler knows about the call it serves. Transports build it; handlers never see the transport. */
export interface CallContext {
  requestId: string;
  principal: Principal;
  /** Sends a notification to this caller (streaming methods); a no-op where the transport cannot stream. */
  notify: (method: string, params: unknown) => void;
  /** Aborted when the server shuts down. A client disconnect does not abort a run. */
  signal: AbortSignal;
  /** SSE `Last-Event-ID` of a reconnecting client, when the transport has one. */
  lastEventId?: string;
}

export interface MethodDefinition<P extends z.ZodType = z.ZodType, R extends z.ZodType = z.ZodType> {
  name: string;
  description: string;
  permission: Permission;
  params: P;
  result: R;
  /**
   * Names for by-position params: `[42, 23]` becomes `{ minuend: 42, subtrahend: 23 }` before
   * validation. Without it, an array is validated as it is.
   */
  positional?: readonly string[];
  /** True when the method sends `threads.event`-style notifications before its response. */
  streaming?: boolean;
  handler: (params: z.infer<P>, ctx: CallContext) => Promise<z.input<R>> | z.input<R>;
}

/** Declares a method once; routing, validation, authorization and `rpc.discover` all derive from this. */
export function defineMethod<P extends z.ZodType, R extends z.ZodType>(
  definition: MethodDefinition<P, R>,
): MethodDefinition<P, R> {
  if (definition.name.startsWith("rpc.")) {
    throw new Error(`method names beginning with "rpc." are reserved by JSON-RPC 2.0: ${definition.name}`);
  }
  return definition;
}

// biome-ignore lint/suspicious/noExplicitAny: a registry holds methods of every param/result type.
export type AnyMethod = MethodDefinition<any, any>;
