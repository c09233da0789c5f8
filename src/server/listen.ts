import { createServer as createHttpServer, type RequestListener } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";
import { type ServerType, serve } from "@hono/node-server";
import { WebSocketServer } from "ws";
import type { ServerApp } from "./app.js";
import { selectSubprotocol } from "./auth/bearer.js";
import { keepAlive } from "./limits/heartbeat.js";
import { CloseCode } from "./transports/websocket.js";

export interface TlsOptions {
  cert: string | Buffer;
  key: string | Buffer;
}

export interface Listening {
  url: string;
  port: number;
  /** WebSockets currently open (a gauge: it returns to its baseline when sockets close or are terminated). */
  openSockets(): number;
  close(): Promise<void>;
}

/**
 * Serves the app on node:http with node-server 2's own WebSocket support (ADR 0001). Frames over
 * `maxWsMessageBytes` close the socket with 1009; compression is off (CRIME/BREACH-style leaks, CPU).
 */
export function listen(
  server: ServerApp,
  options: {
    host: string;
    port: number;
    maxWsMessageBytes: number;
    /** Ping every socket this often; one that missed the previous pong is terminated. Default 30 s. */
    wsPingIntervalMs?: number;
    /** PEM certificate chain and key: serve HTTPS and wss:// (TLS 1.2 or later) instead of plain HTTP. */
    tls?: TlsOptions;
    /**
     * Serve `POST /rpc` from the node:http fast path (transports/http-node.ts, ADR 0002); default true.
     * Off, Hono serves every request.
     */
    fastRpc?: boolean;
    /**
     * On the fast path, write the answers ready in one event-loop turn together at its end
     * (transports/answer-writer.ts, ADR 0004); default true.
     */
    coalesceAnswers?: boolean;
  },
): Promise<Listening> {
  const wss = new WebSocketServer({
    noServer: true,
    maxPayload: options.maxWsMessageBytes,
    perMessageDeflate: false,
    // Browsers send their token as the subprotocol pair `bearer, <token>`: answer `bearer`, never the token.
    handleProtocols: selectSubprotocol,
  });
  const heartbeat = keepAlive(wss, options.wsPingIntervalMs ?? 30_000);
  return new Promise((resolve, reject) => {
    let http: ServerType;
    const onError = (error: Error) => {
      heartbeat.stop();
      reject(error);
    };
    const nodeRpc =
      server.nodeRpc && (options.fastRpc ?? true)
        ? server.nodeRpc({ coalesceAnswers: options.coalesceAnswers ?? true })
        : undefined;
    // Hono's listener, behind the fast path when it is on (node-server calls this with its own listener).
    const front =
      (listen: (options: object, listener: RequestListener) => ServerType) =>
      (serverOptions: object, honoListener: RequestListener) =>
        listen(
          serverOptions,
          nodeRpc
            ? (request, response) => {
                if (!nodeRpc(request, response)) honoListener(request, response);
              }
            : honoListener,
        );
    const transport = options.tls
      ? {
          createServer: front(createHttpsServer),
          serverOptions: { cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" as const },
        }
      : { createServer: front(createHttpServer) };
    http = serve(
      {
        fetch: server.app.fetch,
        hostname: options.host,
        port: options.port,
        websocket: { server: wss },
        ...(transport as object),
      },
      (info: AddressInfo) => {
        http.off("error", onError);
        const host = info.family === "IPv6" ? `[${info.address}]` : info.address;
        resolve({
          url: `${options.tls ? "https" : "http"}://${host}:${info.port}`,
          port: info.port,
          openSockets: () => wss.clients.size,
          close: () =>
            new Promise<void>((done) => {
              heartbeat.stop();
              server.shutdown.abort();
              // After the answers of this turn, which go out in its check phase (ADR 0004): one ready now,
              // or made ready by the abort above, is sent before the close frame.
              setImmediate(() =>
                setImmediate(() => {
                  for (const client of wss.clients) client.close(CloseCode.GoingAway, "server shutting down");
                }),
              );
              http.close(() => done());
              // Keep-alive sockets would hold close() open; idle ones can go now.
              if ("closeIdleConnections" in http) http.closeIdleConnections();
            }),
        });
      },
    );
    http.once("error", onError);
  });
}
