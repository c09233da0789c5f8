/**
 * Baseline for the HTTP transport: the least a JSON-RPC server over plain `node:http` must do. Reads the
 * body, parses it, answers `{"jsonrpc":"2.0","result":<params>,"id":<id>}` with JSON.stringify.
 *
 * On `/per-turn` it writes its answers as ours does (docs/adr/0004): the answers ready in one event-loop
 * turn together, in its check phase. That row is the like-for-like reference for ours' code; the plain
 * row is the one the goal is set against.
 */
import { createServer, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { announce } from "./announce.js";

function write(response: ServerResponse, body: string): void {
  response.writeHead(200, {
    "content-type": "application/json",
    "content-length": Buffer.byteLength(body),
  });
  response.end(body);
}

const held: Array<[ServerResponse, string]> = [];
function writeHeld(): void {
  for (const [response, body] of held.splice(0)) write(response, body);
}

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
    if (request.url !== "/per-turn") {
      write(response, body);
    } else if (held.push([response, body]) === 1) {
      setImmediate(writeHeld);
    }
  });
});

server.listen(0, "127.0.0.1", () => {
  const { port } = server.address() as AddressInfo;
  announce(`http://127.0.0.1:${port}/`, { server: "node:http echo" }, async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
});
