import { Hono } from "hono";
import { localOperator, type Principal } from "./auth/permissions.js";
import { leadMethods } from "./methods/leads.js";
import type { Services } from "./methods/services.js";
import { systemMethods } from "./methods/system.js";
import { threadMethods } from "./methods/threads.js";
import { type CallRecord, createDispatcher, type Dispatcher } from "./rpc/dispatcher.js";
import type { AnyMethod } from "./rpc/method.js";
import { mountHttpTransport } from "./transports/http.js";
import { mountWebSocketTransport } from "./transports/websocket.js";

export interface AppOptions {
  maxBodyBytes: number;
  maxBatchSize: number;
  /** Extra methods (tests, embedding services). */
  methods?: AnyMethod[];
  log?: { error: (obj: object, msg: string) => void };
  onCall?: (record: CallRecord) => void;
}

export interface ServerApp {
  app: Hono;
  dispatcher: Dispatcher;
  /** Aborts the runs this app started; called at shutdown. */
  shutdown: AbortController;
}

/** Every method the server speaks; the single list `rpc.discover` documents. */
export function declaredMethods(services: Services): AnyMethod[] {
  return [...systemMethods(services), ...leadMethods(services), ...threadMethods(services)];
}

export function createServerApp(services: Services, options: AppOptions): ServerApp {
  const shutdown = new AbortController();
  const dispatcher = createDispatcher([...declaredMethods(services), ...(options.methods ?? [])], {
    maxBatchSize: options.maxBatchSize,
    info: { title: "marketing-agents", version: services.version },
    logError: (error, requestId, method) =>
      options.log?.error({ err: error, requestId, method }, "rpc handler failed"),
    ...(options.onCall ? { onCall: options.onCall } : {}),
  });
  // Authentication arrives with the security issue; until then the server binds to loopback only.
  const principalOf = (): Principal => localOperator;

  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    try {
      await withTimeout(services.database.ping(), 2_000);
      return c.json({ status: "ready", database: services.database.driver });
    } catch {
      return c.json({ status: "not ready", database: services.database.driver }, 503);
    }
  });
  mountHttpTransport(app, dispatcher, {
    maxBodyBytes: options.maxBodyBytes,
    principalOf,
    shutdownSignal: shutdown.signal,
  });
  mountWebSocketTransport(app, dispatcher, { principalOf, shutdownSignal: shutdown.signal });
  app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));
  app.onError((error, c) => {
    options.log?.error({ err: error, path: c.req.path }, "unhandled HTTP error");
    return c.json({ error: "internal error" }, 500);
  });
  return { app, dispatcher, shutdown };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
