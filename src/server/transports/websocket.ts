import { upgradeWebSocket } from "@hono/node-server";
import type { Context, Hono } from "hono";
import type WebSocket from "ws";
import type { Principal } from "../auth/permissions.js";
import type { Dispatcher } from "../rpc/dispatcher.js";
import type { WireError } from "../rpc/errors.js";
import { turnBatch } from "./turn-batch.js";

export interface WebSocketTransportOptions {
  principalOf: (c: Context) => Principal;
  shutdownSignal: AbortSignal;
  /** Calls one socket may have running at once; more are answered in order as earlier ones finish. */
  maxInFlight?: number;
  /** Per-socket rules decided outside the transport (token expiry, revocation, rate limits, idle). */
  policy?: (c: Context) => SocketPolicy;
  /**
   * Unsent bytes a socket may hold (a client that stopped reading); past this it is closed with 1013
   * instead of buffering without bound. Default 1 MiB.
   */
  maxBufferedBytes?: number;
  /**
   * Send the messages ready in one event-loop turn together at its end, each socket's in one write
   * (ADR 0004); default true. Each socket's messages keep their order either way.
   */
  coalesceAnswers?: boolean;
}

/** What a policy may do to its socket. */
export interface SocketControl {
  close(code: number, reason: string): void;
  /** True while calls from this socket are running or queued. */
  busy(): boolean;
}

/** A policy's decision on one incoming message. */
export type Admission =
  | { action: "run" }
  | { action: "reject"; error: WireError }
  | { action: "close"; code: number; reason: string };

/** Created at the upgrade (when the request is known), opened with the socket, told when it closes. */
export interface SocketPolicy {
  open(socket: SocketControl): void;
  admit(): Admission;
  closed(): void;
}

/** RFC 6455 §7.4.1 close codes used here. */
export const CloseCode = {
  Normal: 1000,
  GoingAway: 1001,
  PolicyViolation: 1008,
  TooBig: 1009,
  /** IANA-registered "Try Again Later": the server will not buffer more for this client. */
  TryAgainLater: 1013,
} as const;

/**
 * `GET /ws`: every text frame is one JSON-RPC message; every response or notification is one frame.
 * Frame size is capped by the WebSocketServer's `maxPayload` (close 1009), configured where it is created.
 *
 * Frames are read from the `ws` socket itself (`ws.raw`) rather than node-server's `onMessage`, which wraps
 * each frame in a DOM `MessageEvent` and copies its bytes first: that was a tenth of the CPU per call in
 * bench/. Everything per socket (context factory, `send`, the runner) is made once at open, not per frame.
 */
export function mountWebSocketTransport(
  app: Hono,
  dispatcher: Dispatcher,
  options: WebSocketTransportOptions,
): void {
  const maxInFlight = options.maxInFlight ?? 16;
  const maxQueued = maxInFlight * 16;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  const out = (options.coalesceAnswers ?? true) ? socketBatch(maxBufferedBytes) : atOnce(maxBufferedBytes);
  app.get(
    "/ws",
    upgradeWebSocket((c) => {
      const policy = options.policy?.(c);
      let inFlight = 0;
      const queue: string[] = [];
      return {
        onOpen(_event, ws) {
          const raw = ws.raw as WebSocket;
          const send = (data: unknown) => out(raw, JSON.stringify(data));
          // Through the same outbox as the messages, so that the ones sent before still go out first.
          const close = (code: number, reason: string) => out(raw, { code, reason });
          const notify = (method: string, params: unknown) => send({ jsonrpc: "2.0", method, params });
          // Per call, not per socket: each call gets its own principal object (the audit log pairs a call's
          // target with its record by that identity).
          const contextOf = () => ({
            principal: options.principalOf(c),
            signal: options.shutdownSignal,
            notify,
          });
          const run = async (message: string) => {
            inFlight++;
            try {
              const response = await dispatcher.handleText(message, contextOf);
              if (response !== undefined) send(response);
            } finally {
              inFlight--;
              const next = queue.shift();
              if (next !== undefined) void run(next);
            }
          };
          policy?.open({
            close,
            busy: () => inFlight > 0 || queue.length > 0,
          });
          raw.on("message", (data) => {
            const text = textOf(data);
            const admission = policy?.admit();
            if (admission !== undefined && admission.action !== "run") {
              if (admission.action === "close") close(admission.code, admission.reason);
              else send({ jsonrpc: "2.0", error: admission.error, id: requestIdOf(text) });
              return;
            }
            if (inFlight < maxInFlight) void run(text);
            else if (queue.length < maxQueued) queue.push(text);
            // A client that floods faster than we answer is cut off rather than buffered without bound.
            else close(CloseCode.PolicyViolation, "too many pending requests");
          });
        },
        onClose() {
          policy?.closed();
        },
      };
    }),
  );
}

/** A frame's text; a binary frame is read as UTF-8 too, as it always was. */
function textOf(data: WebSocket.RawData): string {
  if (Buffer.isBuffer(data)) return data.toString("utf8");
  if (Array.isArray(data)) return Buffer.concat(data).toString("utf8");
  return Buffer.from(data).toString("utf8");
}

/** The id of a single request, for answering it without dispatching it; null when there is none to read. */
function requestIdOf(text: string): string | number | null {
  try {
    const message: unknown = JSON.parse(text);
    const id = (message as { id?: unknown } | null)?.id;
    return typeof id === "string" || typeof id === "number" ? id : null;
  } catch {
    return null;
  }
}

/** A message (already JSON) or a close frame, for one socket. */
type Outgoing = string | { code: number; reason: string };

/** Sends a message or closes, in the order given for each socket. */
type Outbox = (raw: WebSocket, outgoing: Outgoing) => void;

/** ws queues what the kernel will not take yet; a peer that stopped reading would grow it forever. */
function closeIfNotReading(raw: WebSocket, maxBufferedBytes: number): void {
  if (raw.bufferedAmount > maxBufferedBytes) raw.close(CloseCode.TryAgainLater, "client is not reading");
}

function atOnce(maxBufferedBytes: number): Outbox {
  return (raw, outgoing) => {
    if (raw.readyState !== 1) return;
    if (typeof outgoing !== "string") {
      raw.close(outgoing.code, outgoing.reason);
      return;
    }
    raw.send(outgoing);
    closeIfNotReading(raw, maxBufferedBytes);
  };
}

/** The TCP socket under a `ws` socket, when it can be corked (`_socket`: ws's own field, not its API). */
function tcpOf(raw: WebSocket): Corkable | undefined {
  const socket = (raw as unknown as { _socket?: Partial<Corkable> })._socket;
  return typeof socket?.cork === "function" && typeof socket.uncork === "function"
    ? (socket as Corkable)
    : undefined;
}

interface Corkable {
  cork(): void;
  uncork(): void;
}

/** Past this many unsent bytes a socket's turn is written at once: batching is for small messages. */
const CORKED_BYTES = 64 * 1024;

/**
 * The messages of one event-loop turn, sent together in its check phase (turn-batch.ts, ADR 0004). Each
 * socket is corked while its messages of the turn are framed, so they leave in one write: with several
 * calls in flight per socket, that is several answers per system call, on both ends. One batch serves
 * every socket, first in first out, so each socket's messages and its close keep their order.
 */
function socketBatch(maxBufferedBytes: number): Outbox {
  const corked = new Map<Corkable, WebSocket>();
  const uncork = (tcp: Corkable, raw: WebSocket) => {
    corked.delete(tcp);
    tcp.uncork();
    // While corked, all of the turn's messages count as unsent: the cap is checked once they are written.
    closeIfNotReading(raw, maxBufferedBytes);
  };
  // Runs right after the batch's flush (a tick queued from inside it), before anything else.
  const uncorkAll = () => {
    for (const [tcp, raw] of corked) uncork(tcp, raw);
  };
  const sendNow = atOnce(maxBufferedBytes);
  return turnBatch<WebSocket, Outgoing>(
    (raw, outgoing) => {
      const tcp = tcpOf(raw);
      // A close frame follows the messages still corked; without a socket to cork, messages go as they come.
      if (typeof outgoing !== "string" || !tcp || raw.readyState !== 1) {
        sendNow(raw, outgoing);
        return;
      }
      if (!corked.has(tcp)) {
        if (corked.size === 0) process.nextTick(uncorkAll);
        tcp.cork();
        corked.set(tcp, raw);
      }
      raw.send(outgoing);
      if (raw.bufferedAmount >= CORKED_BYTES) uncork(tcp, raw);
    },
    (raw) => raw.terminate(),
  );
}
