import { type RpcCode, standardMessage } from "../rpc/errors.js";
import { RPC_RESPONSE_HEADERS } from "../rpc/response-headers.js";

/**
 * An HTTP error that still speaks JSON-RPC: refused before dispatch (origin, authentication, rate limit),
 * so there is no request id to echo and the body carries `id: null` (JSON-RPC 2.0 §5).
 */
export function rpcErrorResponse(
  status: number,
  code: RpcCode,
  data: Record<string, unknown>,
  headers: Record<string, string> = {},
): Response {
  return new Response(
    JSON.stringify({ jsonrpc: "2.0", error: { code, message: standardMessage(code), data }, id: null }),
    { status, headers: { ...RPC_RESPONSE_HEADERS, ...headers } },
  );
}
