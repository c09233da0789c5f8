import type { IncomingMessage, ServerResponse } from "node:http";
import type { Admit, RequestHead, Session } from "../auth/middleware.js";
import { type Refusal, refusalBody, refusalHeaders } from "../limits/rpc-error-response.js";
import type { Dispatcher } from "../rpc/dispatcher.js";
import { RPC_RESPONSE_HEADERS } from "../rpc/response-headers.js";
import { coalescingAnswerWriter, writeAnswer } from "./answer-writer.js";
import { ignoreNotification, requestIdFrom, tooLargeBody } from "./http.js";

export interface NodeRpcOptions {
  maxBodyBytes: number;
  /** Authentication and rate limit (`ServerSecurity.admit`), the decisions the Hono middleware makes. */
  admit: Admit;
  shutdownSignal: AbortSignal;
  /**
   * Write the answers ready in one event-loop turn together, at its end (answer-writer.ts, ADR 0004);
   * default true. Off, each answer is written as soon as it is ready.
   */
  coalesceAnswers?: boolean;
  log?: { error: (obj: object, msg: string) => void };
}

/** Serves the request and returns true, or returns false and leaves it to the Hono app untouched. */
export type NodeRequestHandler = (request: IncomingMessage, response: ServerResponse) => boolean;

/**
 * `POST /rpc` straight on node:http, in front of the Hono app (ADR 0002). Going through node-server's
 * Request and Response adapters and Hono's router costs more per call than our whole dispatcher; this
 * path answers the same bytes from the same decisions: `admit` is the authentication and rate limit the
 * Hono middleware runs, and body limit, request id and answers are shared with `mountHttpTransport`.
 *
 * It takes only what needs nothing else: a request with an `Origin` (a browser: origin allowlist and
 * CORS), one asking for Server-Sent Events, or any other path or method goes to Hono, which serves every
 * request correctly on its own. The parity test (http-node.int.test.ts) holds the two paths to one answer.
 */
export function nodeRpcHandler(dispatcher: Dispatcher, options: NodeRpcOptions): NodeRequestHandler {
  const { admit, maxBodyBytes } = options;
  const answer = (options.coalesceAnswers ?? true) ? coalescingAnswerWriter() : writeAnswer;

  // Callbacks rather than async functions: on this path each await is a measurable share of a call.
  return (request, response) => {
    if (request.method !== "POST" || request.url !== "/rpc") return false;
    const { headers } = request;
    if (headers.origin !== undefined || headers.accept?.includes("text/event-stream")) return false;
    const fail = (error: unknown) => failed(response, error);
    try {
      const decided = admit(new NodeRequestHead(request));
      if (decided instanceof Promise) {
        decided.then((session) => admitted(request, response, session, fail)).catch(fail);
      } else {
        admitted(request, response, decided, fail);
      }
    } catch (error) {
      fail(error);
    }
    return true;
  };

  function admitted(
    request: IncomingMessage,
    response: ServerResponse,
    decided: Session | Refusal,
    fail: (error: unknown) => void,
  ): void {
    if ("refused" in decided) {
      send(response, decided.status, refusalHeaders(decided), refusalBody(decided));
      return;
    }
    readBodyWithin(
      request,
      maxBodyBytes,
      (text) => {
        if (text === null) {
          // The rest of an oversize body is not read: the connection cannot be reused.
          response.shouldKeepAlive = false;
          send(response, 413, RPC_RESPONSE_HEADERS, tooLargeBody(maxBodyBytes));
          return;
        }
        const requestId = requestIdFrom(headerOf(request, "x-request-id"));
        dispatcher
          .handleText(text, () => ({
            requestId,
            // A fresh object per call: the audit log pairs each call in a batch with its target by identity.
            principal: { ...decided.principal },
            signal: options.shutdownSignal,
            notify: ignoreNotification,
          }))
          .then((result) => answer(response, result === undefined ? undefined : JSON.stringify(result)))
          .catch(fail);
      },
      fail,
    );
  }

  function failed(response: ServerResponse, error: unknown): void {
    if (error instanceof ClientGone) {
      response.destroy();
      return;
    }
    options.log?.error({ err: error, path: "/rpc" }, "unhandled HTTP error");
    if (response.headersSent) {
      response.destroy();
      return;
    }
    const body = JSON.stringify({ error: "internal error" });
    response.writeHead(500, {
      "content-type": "application/json",
      "content-length": Buffer.byteLength(body),
    });
    response.end(body);
  }
}

/** The client went away before its body ended: nobody to answer, nothing to log. */
class ClientGone extends Error {}

function send(response: ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  response.writeHead(status, { ...headers, "content-length": Buffer.byteLength(body) });
  response.end(body);
}

/** What authentication reads, without a closure per request (most requests never ask). */
class NodeRequestHead implements RequestHead {
  readonly path = "/rpc";
  constructor(private readonly request: IncomingMessage) {}
  header(name: string): string | undefined {
    return headerOf(this.request, name);
  }
  remote(): string | undefined {
    return this.request.socket.remoteAddress;
  }
}

/**
 * A header as the Fetch API reads it: every occurrence, joined with ", ". `IncomingMessage.headers` keeps
 * only the first `Authorization`; a request carrying two must look the same here as through Hono (where
 * the joined value is not a bearer token and is refused).
 */
function headerOf(request: IncomingMessage, name: string): string | undefined {
  const raw = request.rawHeaders;
  let value: string | undefined;
  for (let i = 0; i < raw.length; i += 2) {
    const key = raw[i] as string;
    if (key.length === name.length && key.toLowerCase() === name) {
      value = value === undefined ? (raw[i + 1] as string) : `${value}, ${raw[i + 1]}`;
    }
  }
  return value;
}

/**
 * Hands on the body as text, or null once it is over the limit. A declared length is checked before
 * reading; a chunked body is counted as it arrives. Decoded as the Fetch API's `text()` does (UTF-8, a
 * leading byte order mark dropped), so both paths parse the same string. A client that disconnects
 * mid-body makes the request emit an error (there is a listener), which ends here as `ClientGone`.
 */
function readBodyWithin(
  request: IncomingMessage,
  maxBytes: number,
  then: (text: string | null) => void,
  fail: (error: unknown) => void,
): void {
  const declared = request.headers["content-length"];
  if (declared !== undefined && Number(declared) > maxBytes) {
    then(null);
    return;
  }
  const chunks: Buffer[] = [];
  let total = 0;
  let over = false;
  request.on("data", (chunk: Buffer) => {
    if (over) return;
    total += chunk.length;
    if (total > maxBytes) {
      over = true;
      request.pause();
      then(null);
      return;
    }
    chunks.push(chunk);
  });
  request.on("end", () => {
    if (over) return;
    const text = (chunks.length === 1 ? (chunks[0] as Buffer) : Buffer.concat(chunks)).toString("utf8");
    try {
      then(text.charCodeAt(0) === 0xfeff ? text.slice(1) : text);
    } catch (error) {
      fail(error);
    }
  });
  request.on("error", () => {
    if (!over) fail(new ClientGone());
  });
}
