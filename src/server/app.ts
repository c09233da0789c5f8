import { Hono } from "hono";
import type { McpDeps } from "../mcp/context.js";
import { mountMcpHttp } from "../mcp/http.js";
import { localOperator, type Principal } from "./auth/permissions.js";
import type { ServerSecurity } from "./auth/security.js";
import { campaignMethods } from "./methods/campaigns.js";
import { knowledgeMethods } from "./methods/knowledge.js";
import { leadMethods } from "./methods/leads.js";
import { memoryMethods } from "./methods/memory.js";
import { outcomeMethods } from "./methods/outcomes.js";
import type { Services } from "./methods/services.js";
import { systemMethods } from "./methods/system.js";
import { threadMethods } from "./methods/threads.js";
import { triageMethods } from "./methods/triage.js";
import { type CallRecord, createDispatcher, type Dispatcher } from "./rpc/dispatcher.js";
import type { AnyMethod } from "./rpc/method.js";
import { mountHttpTransport } from "./transports/http.js";
import { type NodeRequestHandler, nodeRpcHandler } from "./transports/http-node.js";
import { mountWebSocketTransport } from "./transports/websocket.js";

export interface AppOptions {
  maxBodyBytes: number;
  maxBatchSize: number;
  /** Extra methods (tests, embedding services). */
  methods?: AnyMethod[];
  log?: { error: (obj: object, msg: string) => void };
  onCall?: (record: CallRecord) => void;
  /** Authentication, audit log and connection limits (`createServerSecurity`); absent: none of them. */
  security?: ServerSecurity;
  /** The MCP server's data access (`createMcpDeps`): when given, MCP over Streamable HTTP is served at `/mcp`. */
  mcp?: McpDeps;
}

export interface ServerApp {
  app: Hono;
  dispatcher: Dispatcher;
  /** Aborts the runs this app started; called at shutdown. */
  shutdown: AbortController;
  /**
   * `POST /rpc` on node:http ahead of the app (transports/http-node.ts), for `listen`; absent on an app
   * assembled by hand. Routes or middleware added to the app later run after its `/rpc` route (Hono's
   * order), which answers without calling them, so the fast path skips nothing they would have done.
   * One handler per listening server: the answers it holds for a turn belong to that server.
   */
  nodeRpc?: (serving: { coalesceAnswers: boolean }) => NodeRequestHandler;
}

/** Every method the server speaks; the single list `rpc.discover` documents. */
export function declaredMethods(services: Services): AnyMethod[] {
  return [
    ...systemMethods(services),
    ...leadMethods(services),
    ...threadMethods(services),
    ...campaignMethods(services),
    ...memoryMethods(services),
    ...knowledgeMethods(services),
    ...outcomeMethods(services),
    ...triageMethods(services),
  ];
}

export function createServerApp(services: Services, options: AppOptions): ServerApp {
  const shutdown = new AbortController();
  const { security } = options;
  const methods = [...declaredMethods(services), ...(security?.methods ?? []), ...(options.methods ?? [])];
  const onCall = [security?.onCall, options.onCall].filter((hook) => hook !== undefined);
  const dispatcher = createDispatcher(security ? security.wrapMethods(methods) : methods, {
    maxBatchSize: options.maxBatchSize,
    info: { title: "marketing-agents", version: services.version },
    logError: (error, requestId, method) =>
      options.log?.error({ err: error, requestId, method }, "rpc handler failed"),
    ...(onCall.length > 0
      ? {
          onCall: (record: CallRecord) => {
            for (const hook of onCall) hook(record);
          },
        }
      : {}),
  });
  // Without security every caller is the local operator: the CLI then binds to loopback only.
  const principalOf = security ? security.principalOf : (): Principal => ({ ...localOperator });

  const app = new Hono();
  app.get("/healthz", (c) => c.json({ status: "ok" }));
  app.get("/readyz", async (c) => {
    // Draining: a keep-alive connection opened before SIGTERM must not keep routing traffic here.
    if (shutdown.signal.aborted) {
      return c.json({ status: "shutting down", database: services.database.driver }, 503);
    }
    try {
      await withTimeout(services.database.ping(), 2_000);
      return c.json({ status: "ready", database: services.database.driver });
    } catch {
      return c.json({ status: "not ready", database: services.database.driver }, 503);
    }
  });
  // Before the transports: origin, authentication and rate limit run ahead of /rpc and the /ws upgrade.
  security?.mount(app);
  mountHttpTransport(app, dispatcher, {
    maxBodyBytes: options.maxBodyBytes,
    principalOf,
    shutdownSignal: shutdown.signal,
  });
  if (options.mcp) {
    mountMcpHttp(app, {
      deps: options.mcp,
      principalOf,
      maxBodyBytes: options.maxBodyBytes,
      // With security, its origin guard ran already (the configured allowlist); without, no browser page may call.
      ...(security ? {} : { allowedOrigins: [] }),
      shutdownSignal: shutdown.signal,
    });
  }
  mountWebSocketTransport(app, dispatcher, {
    principalOf,
    shutdownSignal: shutdown.signal,
    ...(security
      ? { policy: (c) => security.socketPolicy(c), maxBufferedBytes: security.webSocket.maxBufferedBytes }
      : {}),
  });
  const nodeRpc = (serving: { coalesceAnswers: boolean }) =>
    nodeRpcHandler(dispatcher, {
      maxBodyBytes: options.maxBodyBytes,
      admit: security ? security.admit : () => ({ principal: localOperator, credential: null }),
      shutdownSignal: shutdown.signal,
      coalesceAnswers: serving.coalesceAnswers,
      ...(options.log ? { log: options.log } : {}),
    });
  app.notFound((c) => c.json({ error: "not found", path: c.req.path }, 404));
  app.onError((error, c) => {
    options.log?.error({ err: error, path: c.req.path }, "unhandled HTTP error");
    return c.json({ error: "internal error" }, 500);
  });
  return { app, dispatcher, shutdown, nodeRpc };
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
