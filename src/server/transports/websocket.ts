import { upgradeWebSocket } from "@hono/node-server";
import type { Context, Hono } from "hono";
import type { Principal } from "../auth/permissions.js";
import type { Dispatcher } from "../rpc/dispatcher.js";
import type { WireError } from "../rpc/errors.js";

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
 */
export function mountWebSocketTransport(
  app: Hono,
  dispatcher: Dispatcher,
  options: WebSocketTransportOptions,
): void {
  const maxInFlight = options.maxInFlight ?? 16;
  const maxQueued = maxInFlight * 16;
  const maxBufferedBytes = options.maxBufferedBytes ?? 1_048_576;
  app.get(
    "/ws",
    upgradeWebSocket((c) => {
      const policy = options.policy?.(c);
      let inFlight = 0;
      const queue: string[] = [];
      return {
        onOpen(_event, ws) {
          policy?.open({
            close: (code, reason) => ws.close(code, reason),
            busy: () => inFlight > 0 || queue.length > 0,
          });
        },
        onClose() {
          policy?.closed();
        },
        onMessage(event, ws) {
          const text =
            typeof event.data === "string"
              ? event.data
              : Buffer.from(event.data as ArrayBuffer).toString("utf8");
          const send = (data: unknown) => {
            if (ws.readyState !== 1) return;
            ws.send(JSON.stringify(data));
            // ws queues what the kernel will not take yet; a peer that stopped reading grows it forever.
            if (
              ((ws.raw as { bufferedAmount?: number } | undefined)?.bufferedAmount ?? 0) > maxBufferedBytes
            ) {
              ws.close(CloseCode.TryAgainLater, "client is not reading");
            }
          };
          const admission = policy?.admit() ?? { action: "run" };
          if (admission.action === "close") {
            ws.close(admission.code, admission.reason);
            return;
          }
          if (admission.action === "reject") {
            send({ jsonrpc: "2.0", error: admission.error, id: requestIdOf(text) });
            return;
          }
          const run = (message: string) => {
            inFlight++;
            void dispatcher
              .handleText(message, () => ({
                // Per call, not per socket: each call gets its own principal object (the audit log pairs
                // a call's target with its record by that identity).
                principal: options.principalOf(c),
                signal: options.shutdownSignal,
                notify: (method, params) => send({ jsonrpc: "2.0", method, params }),
              }))
              .then((response) => {
                if (response !== undefined) send(response);
              })
              .finally(() => {
                inFlight--;
                const next = queue.shift();
                if (next !== undefined) run(next);
              });
          };
          if (inFlight < maxInFlight) run(text);
          else if (queue.length < maxQueued) queue.push(text);
          // A client that floods faster than we answer is cut off rather than buffered without bound.
          else ws.close(CloseCode.PolicyViolation, "too many pending requests");
        },
      };
    }),
  );
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
