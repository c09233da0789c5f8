import type { WebSocket, WebSocketServer } from "ws";

/**
 * Ping every socket each `intervalMs`; one that has not answered the previous ping is `terminate()`d (no
 * close handshake: a dead peer would never complete one). This finds half-open connections that TCP alone
 * would keep for hours.
 */
export function keepAlive(wss: WebSocketServer, intervalMs: number): { stop(): void } {
  const answered = new WeakMap<WebSocket, boolean>();
  const onConnection = (ws: WebSocket) => {
    answered.set(ws, true);
    ws.on("pong", () => answered.set(ws, true));
  };
  wss.on("connection", onConnection);
  const timer = setInterval(() => {
    for (const ws of wss.clients) {
      if (answered.get(ws) === false) {
        ws.terminate();
        continue;
      }
      answered.set(ws, false);
      ws.ping();
    }
  }, intervalMs);
  timer.unref();
  return {
    stop() {
      clearInterval(timer);
      wss.off("connection", onConnection);
    },
  };
}
