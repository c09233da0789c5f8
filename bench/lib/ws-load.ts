import WebSocket from "ws";
import { LatencyRecorder, type LoadResult } from "./stats.js";

export interface WsLoadOptions {
  url: string;
  connections: number;
  /** Requests each connection keeps in flight: a new one is sent as soon as one is answered. */
  inFlight: number;
  durationS: number;
  /** The frame for request `id` (ids are per connection, 1, 2, 3…). */
  message: (id: number) => string;
  /** True when `text` is the right answer to request `id`. */
  accept: (text: string, id: number) => boolean;
}

/**
 * A closed-loop WebSocket load generator: `connections` sockets, each keeping `inFlight` JSON-RPC calls
 * outstanding, responses matched to calls by id. Only answers that arrive inside the measured window
 * count; calls still in flight when it ends are dropped, not waited for.
 */
export async function wsLoad(options: WsLoadOptions): Promise<LoadResult> {
  const sockets = await Promise.all(Array.from({ length: options.connections }, () => open(options.url)));
  const latencies = new LatencyRecorder();
  let ok = 0;
  let errors = 0;
  let running = true;
  const started = process.hrtime.bigint();

  for (const socket of sockets) {
    const pending = new Map<number, bigint>();
    let nextId = 1;
    const send = () => {
      const id = nextId++;
      pending.set(id, process.hrtime.bigint());
      socket.send(options.message(id));
    };
    socket.on("message", (data: WebSocket.RawData) => {
      const receivedAt = process.hrtime.bigint();
      if (!running) return;
      const text = data.toString();
      const id = idOf(text);
      const sentAt = id === undefined ? undefined : pending.get(id);
      if (id === undefined || sentAt === undefined) {
        // An answer we cannot match would otherwise stall this connection's loop for good.
        errors++;
        return;
      }
      pending.delete(id);
      if (options.accept(text, id)) {
        ok++;
        latencies.record(Number(receivedAt - sentAt) / 1e6);
      } else {
        errors++;
      }
      send();
    });
    socket.on("close", () => {
      if (running) errors += pending.size;
      pending.clear();
    });
    socket.on("error", () => {
      if (running) errors++;
    });
    for (let i = 0; i < options.inFlight; i++) send();
  }

  await new Promise((resolve) => setTimeout(resolve, options.durationS * 1_000));
  running = false;
  const elapsedS = Number(process.hrtime.bigint() - started) / 1e9;
  for (const socket of sockets) socket.terminate();
  return { requests: ok, errors, elapsedS, reqPerSec: ok / elapsedS, latency: latencies.summary() };
}

function open(url: string): Promise<WebSocket> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { perMessageDeflate: false });
    socket.once("open", () => resolve(socket));
    socket.once("error", reject);
  });
}

function idOf(text: string): number | undefined {
  try {
    const id = (JSON.parse(text) as { id?: unknown }).id;
    return typeof id === "number" ? id : undefined;
  } catch {
    return undefined;
  }
}
