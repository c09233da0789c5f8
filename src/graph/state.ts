import { Annotation } from "@langchain/langgraph";
import type { Delivery } from "../agents/engagement/approval.js";
import type { EngagementResult } from "../agents/engagement/node.js";
import type { AgentId } from "../agents/handoff.js";
import type { OptimizationResult } from "../agents/optimization/node.js";
import type { TriageResult } from "../agents/triage/node.js";
import type { LeadInput } from "../db/lead-input.js";

export interface ChatMessage {
  role: "user" | "assistant";
  content: string;
  /** The agent that wrote an assistant message. */
  agent?: AgentId;
}

/** One entry of the handoff log: who passed control to whom, why, and when (ISO 8601, UTC). */
export interface Handoff {
  from: AgentId | "start";
  to: AgentId | "end";
  reason: string;
  at: string;
}

const replace = <T>(initial: T) => Annotation<T>({ reducer: (_, next) => next, default: () => initial });
const append = <T>() => Annotation<T[]>({ reducer: (all, more) => all.concat(more), default: () => [] });

/** The graph's state. Everything in it is plain JSON so checkpoints and the wire share one shape. */
export const GraphState = Annotation.Root({
  messages: append<ChatMessage>(),
  /** The lead this run is about; `id` is set when it is stored. */
  lead: replace<(LeadInput & { id?: string }) | null>(null),
  /** The inbound message of this run, when there is one. */
  message: replace<string | null>(null),
  triageResult: replace<TriageResult | null>(null),
  engagementResult: replace<EngagementResult | null>(null),
  optimizationResult: replace<OptimizationResult | null>(null),
  /** The selected message's fate: queued in the outbox, rejected by a person, or blocked by a check. */
  delivery: replace<Delivery | null>(null),
  handoffs: append<Handoff>(),
  next: replace<AgentId | "end">("triage"),
});

export type GraphStateValue = typeof GraphState.State;
export type GraphStateUpdate = typeof GraphState.Update;
