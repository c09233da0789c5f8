import { upgradeWebSocket } from "@hono/node-server";
import type { Context, Hono } from "hono";
import type { Principal } from "../auth/permissions.js";
import type { Dispatcher } from "../rpc/dispatcher.js";

export interface WebSocketTransportOptions {
  principalOf: (c: Context) => Principal;
  shutdownSignal: AbortSignal;
  /** Calls one socket may have running at once; more are answered in order as earlier ones finish. */
  maxInFlight?: number;
}

/** RFC 6455 §7.4.1 close codes used here. */
export const CloseCode = { Normal: 1000, GoingAway: 1001, PolicyViolation: 1008, TooBig: 1009 } as const;

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
  app.get(
    "/ws",
    upgradeWebSocket((c) => {
      const principal = options.principalOf(c);
      let inFlight = 0;
      const queue: string[] = [];
      return {
        onMessage(event, ws) {
          const text =
            typeof event.data === "string"
              ? event.data
              : Buffer.from(event.data as ArrayBuffer).toString("utf8");
          const send = (data: unknown) => {
            if (ws.readyState === 1) ws.send(JSON.stringify(data));
          };
          const run = (message: string) => {
            inFlight++;
            void dispatcher
              .handleText(message, () => ({
                principal,
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
