/**
 * Baseline for the WebSocket transport: a plain `ws` server (compression off, as ours) answering every
 * text frame with `{"jsonrpc":"2.0","result":<params>,"id":<id>}`.
 */
import type { AddressInfo } from "node:net";
import { WebSocketServer } from "ws";
import { announce } from "./announce.js";

const wss = new WebSocketServer({ host: "127.0.0.1", port: 0, perMessageDeflate: false });

wss.on("connection", (socket) => {
  socket.on("message", (data) => {
    let body: string;
    try {
      const call = JSON.parse(data.toString()) as { params?: unknown; id?: unknown };
      body = JSON.stringify({ jsonrpc: "2.0", result: call.params ?? null, id: call.id ?? null });
    } catch {
      body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
    }
    socket.send(body);
  });
});

wss.on("listening", () => {
  const { port } = wss.address() as AddressInfo;
  announce(`ws://127.0.0.1:${port}/`, { server: "ws echo" }, async () => {
    for (const client of wss.clients) client.terminate();
    await new Promise<void>((resolve) => wss.close(() => resolve()));
  });
});
