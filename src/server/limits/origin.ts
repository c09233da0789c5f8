import type { MiddlewareHandler } from "hono";
import { RpcCode } from "../rpc/errors.js";
import { rpcErrorResponse } from "./rpc-error-response.js";

/**
 * Browser origin allowlist (exact match) for `/rpc` and `/ws`. Browsers always send `Origin` on WebSocket
 * handshakes and cross-origin POSTs, so a page on another site cannot use a visitor's network position or
 * credentials against this server (cross-site WebSocket hijacking; a "simple" text/plain POST to a
 * loopback server). A request without `Origin` is not from a browser page and is let through: it must
 * still authenticate. The 403 comes before the upgrade, so no socket is ever opened.
 * https://cheatsheetseries.owasp.org/cheatsheets/WebSocket_Security_Cheat_Sheet.html
 */
export function originGuard(options: { allowed: readonly string[] }): MiddlewareHandler {
  const allowed = new Set(options.allowed);
  // Not async: Hono's compose awaits next()'s promise itself, so a wrapper per request would only add one.
  return (c, next) => {
    const origin = c.req.header("origin");
    if (origin !== undefined && !allowed.has(origin)) {
      return Promise.resolve(rpcErrorResponse(403, RpcCode.Forbidden, { reason: "origin not allowed" }));
    }
    return next();
  };
}
