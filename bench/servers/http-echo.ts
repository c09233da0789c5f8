/**
 * Baseline for the HTTP transport: the least a JSON-RPC server over plain `node:http` must do. Reads the
 * body, parses it, answers `{"jsonrpc":"2.0","result":<params>,"id":<id>}` with JSON.stringify.
 */
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { announce } from "./announce.js";

const server = createServer((request, response) => {
  const chunks: Buffer[] = [];
  request.on("data", (chunk: Buffer) => chunks.push(chunk));
  request.on("end", () => {
    let body: string;
    try {
      const call = JSON.parse(Buffer.concat(chunks).toString("utf8")) as { params?: unknown; id?: unknown };
      body = JSON.stringify({ jsonrpc: "2.0", result: call.params ?? null, id: call.id ?? null });
    } catch {
      body = JSON.stringify({ jsonrpc: "2.0", error: { code: -32700, message: "Parse error" }, id: null });
    }
    response.writeHead(200, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  });
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  announce(`http://127.0.0.1:${port}/`, { server: "node:http echo" }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
