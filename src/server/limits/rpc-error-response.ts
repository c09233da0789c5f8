import { type RpcCode, standardMessage } from "../rpc/errors.js";
import { RPC_RESPONSE_HEADERS } from "../rpc/response-headers.js";

/**
 * A request refused before dispatch (origin, authentication, rate limit), as plain data: the Hono routes
 * turn it into a `Response` and the node:http fast path for `POST /rpc` (transports/http-node.ts) writes it
 * directly, so both answer the same bytes from one decision.
 */
export interface Refusal {
  readonly refused: true;
  readonly status: number;
  readonly code: RpcCode;
  readonly data: Record<string, unknown>;
  readonly headers?: Record<string, string>;
}

export function refusal(
  status: number,
  code: RpcCode,
  data: Record<string, unknown>,
  headers?: Record<string, string>,
): Refusal {
  return headers ? { refused: true, status, code, data, headers } : { refused: true, status, code, data };
}

/** Refused before dispatch, so there is no request id to echo: the body carries `id: null` (JSON-RPC 2.0 §5). */
export function refusalBody(r: Refusal): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    error: { code: r.code, message: standardMessage(r.code), data: r.data },
    id: null,
  });
}

export function refusalHeaders(r: Refusal): Record<string, string> {
  return r.headers ? { ...RPC_RESPONSE_HEADERS, ...r.headers } : { ...RPC_RESPONSE_HEADERS };
}

export function refusalResponse(r: Refusal): Response {
  return new Response(refusalBody(r), { status: r.status, headers: refusalHeaders(r) });
}

/** An HTTP error that still speaks JSON-RPC (see `Refusal`). */
export function rpcErrorResponse(
  status: number,
  code: RpcCode,
  data: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return refusalResponse(refusal(status, code, data, headers));
}
