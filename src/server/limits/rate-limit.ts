import type { Context, MiddlewareHandler } from "hono";
import { RpcCode, standardMessage } from "../rpc/errors.js";
import type { SocketPolicy } from "../transports/websocket.js";
import { CloseCode } from "../transports/websocket.js";
import { type Refusal, refusal, refusalResponse } from "./rpc-error-response.js";
import type { TokenBuckets } from "./token-bucket.js";

export interface RateLimitOptions {
  buckets: TokenBuckets;
  /** Whose bucket a request draws from (the authenticated caller). */
  keyOf: (c: Context) => string;
  now?: () => number;
}

/** Takes one token from `key`'s bucket: undefined when the request may go on, else its refusal. */
export type RateLimiter = (key: string) => Refusal | undefined;

/**
 * Per-caller rate limit for HTTP: one token per request (a batch is one request; its size is capped by
 * MAX_BATCH_SIZE). Over the limit: 429 with `Retry-After` in whole seconds (RFC 9110 §10.2.3) and a
 * JSON-RPC error -32005 whose data says the wait in milliseconds. Shared by the Hono middleware below and
 * the node:http fast path for `POST /rpc`.
 */
export function rateLimiter(buckets: TokenBuckets, now: () => number = Date.now): RateLimiter {
  return (key) => {
    const taken = buckets.take(key, now());
    if (taken.ok) return undefined;
    return refusal(
      429,
      RpcCode.RateLimited,
      { retryAfterMs: taken.retryAfterMs },
      { "retry-after": String(Math.max(1, Math.ceil(taken.retryAfterMs / 1000))) },
    );
  };
}

export function rateLimit(options: RateLimitOptions): MiddlewareHandler {
  const limit = rateLimiter(options.buckets, options.now);
  // Not async, as originGuard: compose awaits next()'s promise itself.
  return (c, next) => {
    const refused = limit(options.keyOf(c));
    return refused ? Promise.resolve(refusalResponse(refused)) : next();
  };
}

export interface SocketRateLimitOptions {
  buckets: TokenBuckets;
  key: string;
  /** Messages refused in a row before the socket is closed: a client that ignores -32005 is flooding. */
  floodStrikes: number;
  now?: () => number;
}

/**
 * The same buckets for WebSocket messages (HTTP and WS share a caller's budget). A refused message gets
 * -32005 with `retryAfterMs`; `floodStrikes` refusals in a row close the socket with 1008.
 */
export function socketRateLimit(options: SocketRateLimitOptions): SocketPolicy {
  const now = options.now ?? Date.now;
  let strikes = 0;
  return {
    open() {},
    closed() {},
    admit() {
      const taken = options.buckets.take(options.key, now());
      if (taken.ok) {
        strikes = 0;
        return { action: "run" };
      }
      if (++strikes >= options.floodStrikes) {
        return { action: "close", code: CloseCode.PolicyViolation, reason: "rate limit exceeded" };
      }
      return {
        action: "reject",
        error: {
          code: RpcCode.RateLimited,
          message: standardMessage(RpcCode.RateLimited),
          data: { retryAfterMs: taken.retryAfterMs },
        },
      };
    },
  };
}
