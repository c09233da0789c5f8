/** The specialist agents. Node ids in the graph are these same names. */
export const AgentIds = ["triage", "engagement", "optimization"] as const;
export type AgentId = (typeof AgentIds)[number];

/** What an agent decides should happen next, and why: the graph records it in the handoff log. */
export interface HandoffDecision {
  to: AgentId | "end";
  reason: string;
}

/** Every agent output says which model produced it: "offline" for the deterministic cores. */
export type ModelLabel = string;
export const OFFLINE: ModelLabel = "offline";
