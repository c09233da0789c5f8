/** Connection and traffic limits beyond body and frame sizes. */
export interface ConnectionLimits {
  /** Calls per minute per caller (HTTP requests and WebSocket messages together); 0 turns the limit off. */
  rateLimitPerMinute: number;
  /** Calls a caller may make at once before the per-minute rate applies. */
  rateLimitBurst: number;
  /** WebSocket messages refused in a row (-32005) before the socket is closed with 1008. */
  floodStrikes: number;
  /** Browser origins allowed on /rpc and /ws (exact match). Requests without `Origin` are allowed. */
  allowedOrigins: readonly string[];
  /** Close a WebSocket with no messages and no running calls for this long. */
  wsIdleTimeoutMs: number;
  /** Ping interval; a socket that missed the previous pong is terminated. */
  wsPingIntervalMs: number;
  /** Close (1013) a WebSocket whose unsent data passes this. */
  wsMaxBufferedBytes: number;
}

/**
 * Library defaults. The rate limit is off here because an embedding service usually has its own; the CLI
 * turns it on from RATE_LIMIT_PER_MINUTE (default 600). No browser origin is allowed until configured.
 */
export const connectionDefaults: ConnectionLimits = {
  rateLimitPerMinute: 0,
  rateLimitBurst: 60,
  floodStrikes: 20,
  allowedOrigins: [],
  wsIdleTimeoutMs: 300_000,
  wsPingIntervalMs: 30_000,
  wsMaxBufferedBytes: 1_048_576,
};
