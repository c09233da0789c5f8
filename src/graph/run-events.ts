import type { Handoff } from "./state.js";

/** The kinds of event a run emits, in order, each with a per-run sequence number. */
export const RunEventTypes = [
  "start",
  "update",
  "handoff",
  "token",
  "custom",
  "interrupt",
  "error",
  "end",
] as const;
export type RunEventType = (typeof RunEventTypes)[number];

export interface RunEvent {
  runId: string;
  threadId: string;
  seq: number;
  type: RunEventType;
  data: unknown;
}

type Emit = (type: RunEventType, data: unknown) => Promise<void>;

interface MessageChunkLike {
  content?: unknown;
}

/**
 * Translates one chunk of `graph.stream(…, { streamMode: ["updates", "messages", "custom"] })` into run
 * events. Handoffs are lifted out of node updates so a client can follow the route without reading state.
 */
export async function emitChunk(mode: string, chunk: unknown, emit: Emit): Promise<void> {
  if (mode === "messages") {
    const [message, metadata] = chunk as [MessageChunkLike, { langgraph_node?: string }];
    const text = typeof message?.content === "string" ? message.content : "";
    if (text) await emit("token", { node: metadata?.langgraph_node ?? null, text });
    return;
  }
  if (mode === "custom") {
    await emit("custom", chunk);
    return;
  }
  if (mode !== "updates" || typeof chunk !== "object" || chunk === null) return;
  for (const [node, update] of Object.entries(chunk as Record<string, unknown>)) {
    if (node === "__interrupt__") {
      for (const item of update as { id?: string; value: unknown }[]) {
        await emit("interrupt", { id: item.id ?? null, value: item.value });
      }
      continue;
    }
    const keys = update && typeof update === "object" ? Object.keys(update) : [];
    await emit("update", { node, keys });
    const handoffs = (update as { handoffs?: Handoff[] } | null)?.handoffs ?? [];
    for (const handoff of handoffs) await emit("handoff", handoff);
  }
}
