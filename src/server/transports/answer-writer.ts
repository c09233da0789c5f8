import type { ServerResponse } from "node:http";
import { rpcResponseHeadersWithLength } from "../rpc/response-headers.js";
import { turnBatch } from "./turn-batch.js";

/** Writes a JSON-RPC answer (200 with its JSON, or 204 with nothing) on a node:http response. */
export type AnswerWriter = (response: ServerResponse, body: string | undefined) => void;

export function writeAnswer(response: ServerResponse, body: string | undefined): void {
  if (body === undefined) {
    response.writeHead(204);
    response.end();
    return;
  }
  response.writeHead(200, rpcResponseHeadersWithLength(Buffer.byteLength(body)));
  response.end(body);
}

/** `writeAnswer` for the answers ready in one event-loop turn, together at its end (turn-batch.ts, ADR 0004). */
export function coalescingAnswerWriter(): AnswerWriter {
  return turnBatch<ServerResponse, string | undefined>(
    (response, body) => {
      // The client went away while its answer waited: nothing to write.
      if (!response.destroyed) writeAnswer(response, body);
    },
    // One answer that cannot be written must not keep the others: its connection is dropped.
    (response) => response.destroy(),
  );
}
