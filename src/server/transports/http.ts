import type { Context, Hono } from "hono";
import { streamSSE } from "hono/streaming";
import type { Principal } from "../auth/permissions.js";
import type { Dispatcher } from "../rpc/dispatcher.js";
import { RpcCode, standardMessage } from "../rpc/errors.js";
import { nextRequestId } from "../rpc/request-id.js";
import { RPC_RESPONSE_HEADERS } from "../rpc/response-headers.js";

export interface HttpTransportOptions {
  maxBodyBytes: number;
  principalOf: (c: Context) => Principal;
  /** Aborted at shutdown; a client disconnect does not abort a run (it finishes and stays readable). */
  shutdownSignal: AbortSignal;
}

const jsonHeaders = RPC_RESPONSE_HEADERS;

/** Plain HTTP has no channel for notifications before the response. */
export const ignoreNotification = () => {};

export function tooLargeBody(maxBodyBytes: number): string {
  return JSON.stringify({
    jsonrpc: "2.0",
    error: {
      code: RpcCode.InvalidRequest,
      message: standardMessage(RpcCode.InvalidRequest),
      data: { reason: `request body larger than ${maxBodyBytes} bytes` },
    },
    id: null,
  });
}

function tooLarge(maxBodyBytes: number): Response {
  return new Response(tooLargeBody(maxBodyBytes), { status: 413, headers: jsonHeaders });
}

/**
 * The body as text, or null when it is over the limit. Hono's bodyLimit middleware wraps every request
 * in a new stream, which cost ~6x in throughput here (bench/); Node's HTTP parser already holds a body to
 * its Content-Length, so a declared length is checked up front and only chunked bodies are counted.
 */
async function readBodyWithin(request: Request, maxBytes: number): Promise<string | null> {
  const declared = request.headers.get("content-length");
  if (declared !== null) return Number(declared) > maxBytes ? null : request.text();
  if (!request.body) return "";
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel();
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** A client's `X-Request-Id` is kept only if it looks like an id: it lands in logs and the audit log. */
const CLIENT_REQUEST_ID = /^[\w.:-]{1,128}$/;

export function requestIdFrom(clientRequestId: string | undefined): string {
  return clientRequestId !== undefined && CLIENT_REQUEST_ID.test(clientRequestId)
    ? clientRequestId
    : nextRequestId();
}

/**
 * `POST /rpc`: one JSON-RPC message (single or batch) per request. 200 with the response(s), 204 when
 * everything was a notification (nothing to return), 413 over the size limit. Streaming methods answer
 * with Server-Sent Events when the client sends `Accept: text/event-stream`: notifications, then the result.
 */
export function mountHttpTransport(app: Hono, dispatcher: Dispatcher, options: HttpTransportOptions): void {
  app.post("/rpc", async (c) => {
    const text = await readBodyWithin(c.req.raw, options.maxBodyBytes);
    if (text === null) return tooLarge(options.maxBodyBytes);
    const requestId = requestIdFrom(c.req.header("x-request-id"));
    const wantsStream = (c.req.header("accept") ?? "").includes("text/event-stream");
    if (wantsStream) {
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        payload = undefined;
      }
      if (payload !== undefined && dispatcher.isStreamingCall(payload)) {
        return streamSSE(c, async (stream) => {
          let sequence = 0;
          const lastEventId = c.req.header("last-event-id");
          const response = await dispatcher.handle(payload, () => ({
            requestId,
            principal: options.principalOf(c),
            ...(lastEventId ? { lastEventId } : {}),
            signal: options.shutdownSignal,
            notify: (method, params) => {
              // Run events carry their own "runId:seq" id, so a reconnecting client can resume from it.
              const event = params as { runId?: unknown; seq?: unknown } | null;
              const id =
                typeof event?.runId === "string" && typeof event.seq === "number"
                  ? `${event.runId}:${event.seq}`
                  : String(++sequence);
              void stream.writeSSE({ id, data: JSON.stringify({ jsonrpc: "2.0", method, params }) });
            },
          }));
          if (response) await stream.writeSSE({ id: String(++sequence), data: JSON.stringify(response) });
        });
      }
    }
    const response = await dispatcher.handleText(text, () => ({
      requestId,
      // Called per call: each call in a batch gets its own principal object (see the audit log's targets).
      principal: options.principalOf(c),
      signal: options.shutdownSignal,
      notify: ignoreNotification,
    }));
    if (response === undefined) return c.body(null, 204);
    return c.body(JSON.stringify(response), 200, jsonHeaders);
  });
}
