import type { LeadInput } from "../../db/lead-input.js";
import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import {
  classify,
  disqualificationReasons,
  type LeadClass,
  routeFor,
  type TriagePolicy,
} from "./classify.js";
import { routeMessage } from "./intent.js";
import { scoreLead, type TriageModel } from "./model.js";

export interface TriageDeps {
  model: TriageModel;
  policy: TriagePolicy;
}

export interface TriageResult {
  /** Calibrated probability that the lead converts. */
  score: number;
  class: LeadClass;
  factors: { feature: string; contribution: number; direction: "+" | "-" }[];
  reasons: string[];
  /** Which scoring model produced the number (kind and version), and which agent model: "offline" here. */
  scoringModel: string;
  model: ModelLabel;
}

export interface TriageOutcome {
  result: TriageResult | null;
  handoff: HandoffDecision;
}

/** Scores and classifies a lead, or routes a bare message by intent. Deterministic: no LLM involved. */
export function runTriage(
  input: { lead?: LeadInput | null; message?: string | null },
  deps: TriageDeps,
): TriageOutcome {
  if (!input.lead) return { result: null, handoff: routeMessage(input.message ?? "") };
  const { probability, factors } = scoreLead(deps.model, input.lead);
  const reasons = disqualificationReasons(input.lead, deps.policy);
  const leadClass = classify(probability, reasons.length > 0, deps.policy);
  const handoff = routeFor(leadClass, probability, deps.policy);
  return {
    result: {
      score: probability,
      class: leadClass,
      factors: factors.slice(0, 5),
      reasons: reasons.length > 0 ? reasons : [handoff.reason],
      scoringModel: `${deps.model.kind}@${deps.model.version}`,
      model: OFFLINE,
    },
    handoff: reasons.length > 0 ? { to: "end", reason: `disqualified: ${reasons.join("; ")}` } : handoff,
  };
}
