import { z } from "zod";

/**
 * JSON-RPC 2.0 error codes (https://www.jsonrpc.org/specification#error_object). Codes from -32000 to
 * -32099 are "reserved for implementation-defined server errors": ours are the app codes below.
 */
export const RpcCode = {
  ParseError: -32700,
  InvalidRequest: -32600,
  MethodNotFound: -32601,
  InvalidParams: -32602,
  Internal: -32603,
  Unavailable: -32000,
  Unauthorized: -32001,
  Conflict: -32002,
  Forbidden: -32003,
  NotFound: -32004,
  RateLimited: -32005,
} as const;

export type RpcCode = (typeof RpcCode)[keyof typeof RpcCode];

const standardMessages: Record<RpcCode, string> = {
  [RpcCode.ParseError]: "Parse error",
  [RpcCode.InvalidRequest]: "Invalid Request",
  [RpcCode.MethodNotFound]: "Method not found",
  [RpcCode.InvalidParams]: "Invalid params",
  [RpcCode.Internal]: "Internal error",
  [RpcCode.Unavailable]: "Service unavailable",
  [RpcCode.Unauthorized]: "Unauthorized",
  [RpcCode.Conflict]: "Conflict",
  [RpcCode.Forbidden]: "Forbidden",
  [RpcCode.NotFound]: "Not found",
  [RpcCode.RateLimited]: "Rate limited",
};

export class RpcError extends Error {
  constructor(
    readonly code: RpcCode,
    message: string = standardMessages[code],
    readonly data?: unknown,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RpcError";
  }
}

/** A domain object the caller asked for does not exist (maps to -32004). */
export class NotFoundError extends RpcError {
  constructor(what: string, id: string) {
    super(RpcCode.NotFound, `${what} not found`, { [what]: id });
    this.name = "NotFoundError";
  }
}

export interface WireError {
  code: number;
  message: string;
  data?: unknown;
}

/**
 * The one place where any thrown value becomes a wire error. Unknown errors become Internal with only
 * the request id as data: stack traces and driver messages stay in the server log.
 */
export function toWireError(error: unknown, requestId: string, log?: (error: unknown) => void): WireError {
  if (error instanceof RpcError) {
    return error.data === undefined
      ? { code: error.code, message: error.message }
      : { code: error.code, message: error.message, data: error.data };
  }
  if (error instanceof z.ZodError) {
    return {
      code: RpcCode.InvalidParams,
      message: standardMessages[RpcCode.InvalidParams],
      data: zodIssues(error),
    };
  }
  log?.(error);
  return { code: RpcCode.Internal, message: standardMessages[RpcCode.Internal], data: { requestId } };
}

/** Zod issues in a stable, client-friendly shape: where, what, and zod's code. */
export function zodIssues(error: z.ZodError): { issues: { path: string; message: string; code: string }[] } {
  return {
    issues: error.issues.map((issue) => ({
      path: issue.path.map(String).join("."),
      message: issue.message,
      code: issue.code,
    })),
  };
}

export function standardMessage(code: RpcCode): string {
  return standardMessages[code];
}
