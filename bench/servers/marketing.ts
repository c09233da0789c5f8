/**
 * The server under test: `createMarketingSystem({ database: "memory://", methods: [echo] })` listening on
 * a free port, HTTP `POST /rpc` and WebSocket `GET /ws` on the same port. `BENCH_DATABASE_URL` (a
 * postgres:// URL) puts its database on a PostgreSQL server instead of in-process PGlite, as production runs.
 * `BENCH_FAST_RPC=0` turns the node:http fast path for `POST /rpc` off (docs/adr/0002), and
 * `BENCH_COALESCE=0` its answers written together per event-loop turn (docs/adr/0004), for A/B runs.
 *
 * While the library entry cannot be loaded (a layer below it is still being written), it falls back to the
 * same transport stack the library would serve (dispatcher, `mountHttpTransport`,
 * `mountWebSocketTransport`, `listen`) and says so in its ready line (`stack: "transport-only"` and the
 * reason), so the benchmark can label the figures instead of silently measuring something else.
 */
import { Hono } from "hono";
import { z } from "zod";
import { localOperator } from "../../src/server/auth/permissions.js";
import { listen } from "../../src/server/listen.js";
import { createDispatcher } from "../../src/server/rpc/dispatcher.js";
import { type AnyMethod, defineMethod } from "../../src/server/rpc/method.js";
import { mountHttpTransport } from "../../src/server/transports/http.js";
import { mountWebSocketTransport } from "../../src/server/transports/websocket.js";
import { announce } from "./announce.js";

/** The cheapest possible method: what is left is the cost of the transport and the dispatcher. */
const echo = defineMethod({
  name: "bench.echo",
  description: "Answers its params unchanged (benchmark only).",
  permission: "system:read",
  params: z.unknown(),
  result: z.unknown(),
  handler: (params) => params,
});

/** The library's defaults (src/index.ts), repeated for the fallback. */
const limits = { maxBodyBytes: 1_048_576, maxBatchSize: 50, maxWsMessageBytes: 65_536 };

interface Started {
  url: string;
  stack: "full" | "transport-only";
  /** Where ours keeps its data, as the library describes it (password redacted). */
  database?: string;
  reason?: string;
  close(): Promise<void>;
}

async function startFull(): Promise<Started> {
  const { createMarketingSystem } = await import("../../src/index.js");
  const { createLogger } = await import("../../src/logger.js");
  // Errors only: a failing handler logs its cause on stderr, which the benchmark quotes when it skips.
  const { ephemeralKeyring } = await import("../../src/db/pii/keyring.js");
  const database = process.env.BENCH_DATABASE_URL || "memory://";
  const system = await createMarketingSystem({
    database,
    // Random keys of this run: the echo stores nothing, and no key file is written.
    pii: ephemeralKeyring(),
    methods: [echo],
    logger: createLogger("error"),
  });
  const listening = await system.listen({
    host: "127.0.0.1",
    port: 0,
    ...(process.env.BENCH_FAST_RPC === "0" ? { fastRpc: false } : {}),
    ...(process.env.BENCH_COALESCE === "0" ? { coalesceAnswers: false } : {}),
  });
  return {
    url: listening.url,
    stack: "full",
    database: system.database.describe,
    close: () => system.close(),
  };
}

async function startTransportOnly(reason: string): Promise<Started> {
  const methods: AnyMethod[] = [echo];
  const dispatcher = createDispatcher(methods, { maxBatchSize: limits.maxBatchSize });
  const shutdown = new AbortController();
  const principalOf = () => localOperator;
  const app = new Hono();
  mountHttpTransport(app, dispatcher, {
    maxBodyBytes: limits.maxBodyBytes,
    principalOf,
    shutdownSignal: shutdown.signal,
  });
  mountWebSocketTransport(app, dispatcher, { principalOf, shutdownSignal: shutdown.signal });
  const listening = await listen(
    { app, dispatcher, shutdown },
    { host: "127.0.0.1", port: 0, maxWsMessageBytes: limits.maxWsMessageBytes },
  );
  return { url: listening.url, stack: "transport-only", reason, close: () => listening.close() };
}

async function start(): Promise<Started> {
  try {
    return await startFull();
  } catch (error) {
    const reason = error instanceof Error ? error.message.split("\n")[0] : String(error);
    return startTransportOnly(`createMarketingSystem unavailable: ${reason}`);
  }
}

const started = await start();
announce(
  started.url,
  {
    server: "marketing-agents",
    stack: started.stack,
    ...(started.database ? { database: started.database } : {}),
    ...(started.reason ? { reason: started.reason } : {}),
  },
  started.close,
);
