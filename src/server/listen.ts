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
    const tls = options.tls
      ? {
          createServer: createHttpsServer,
          serverOptions: { cert: options.tls.cert, key: options.tls.key, minVersion: "TLSv1.2" as const },
        }
      : {};
    http = serve(
      {
        fetch: server.app.fetch,
        hostname: options.host,
        port: options.port,
        websocket: { server: wss },
        ...tls,
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
              for (const client of wss.clients) client.close(CloseCode.GoingAway, "server shutting down");
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
