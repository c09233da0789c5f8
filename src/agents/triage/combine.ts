import type { LeadInput } from "../../db/lead-input.js";
import type { HandoffDecision } from "../handoff.js";
import type { LeadAnalysis } from "./analysis-schema.js";
import { type LeadClass, routeActions, type TriagePolicy } from "./classify.js";
import { instructionLikeText } from "./injection.js";

/**
 * How an LLM's reading of a lead combines with the scoring model. Pure, so every branch has a test.
 *
 * The rule:
 * 1. The probability is always the model's calibrated number; nothing here changes it.
 * 2. Rule-based disqualification is final, and only rules disqualify: the LLM can neither disqualify a
 *    lead nor bring one back.
 * 3. The class may move by one step (cold ↔ warm ↔ hot) and only when every condition holds:
 *    a. the analysis points one way: up when intent is `ready_to_buy`, urgency `high` and fit not `weak`;
 *       down when intent is `not_interested`, or fit is `weak` with urgency `low`;
 *    b. no free-text field contains instruction-like text (`injection.ts`): a lead cannot talk its way up,
 *       even when the model obeys what it wrote;
 *    c. the model said it is highly confident;
 *    d. its `evidence` is found word for word in the lead's notes (case and spacing aside), so the move
 *       rests on something the lead or the team actually wrote;
 *    e. the probability lies within `policy.llmAdjustmentBand` of the threshold being crossed (default
 *       0.15: with thresholds 0.4 / 0.7 a warm lead needs p ≥ 0.55 to become hot), so the LLM decides
 *       only where the model is near a boundary.
 * 4. Whatever happens, the result records why: the adjustment with its reason, or the condition that
 *    kept the class.
 */

export interface ClassAdjustment {
  from: LeadClass;
  to: LeadClass;
  reason: string;
}

export interface Combined {
  class: LeadClass;
  adjustment: ClassAdjustment | null;
  /** Why the class moved or stayed, for a person reading the result. */
  note: string;
}

type Direction = "up" | "down";

/** 3a: which way the analysis points, with the fields that decided it; null when it points nowhere. */
export function directionOf(analysis: LeadAnalysis): { direction: Direction; why: string } | null {
  const { intent, urgency, fit } = analysis;
  if (intent === "ready_to_buy" && urgency === "high" && fit !== "weak") {
    return { direction: "up", why: `intent ${intent}, urgency ${urgency}, fit ${fit}` };
  }
  if (intent === "not_interested") return { direction: "down", why: `intent ${intent}` };
  if (fit === "weak" && urgency === "low")
    return { direction: "down", why: `fit ${fit}, urgency ${urgency}` };
  return null;
}

const ladder: readonly LeadClass[] = ["cold", "warm", "hot"];

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();

/** 3e: the threshold a move crosses, and whether the probability is near enough to it. */
function withinBand(
  from: LeadClass,
  direction: Direction,
  probability: number,
  policy: TriagePolicy,
): { ok: boolean; why: string } {
  const band = policy.llmAdjustmentBand;
  const threshold =
    (direction === "up" && from === "cold") || (direction === "down" && from === "warm")
      ? policy.warmThreshold
      : policy.hotThreshold;
  const distance = Math.abs(probability - threshold);
  const p = probability.toFixed(2);
  return distance <= band
    ? { ok: true, why: `p=${p} is within ${band} of the ${threshold} threshold` }
    : { ok: false, why: `p=${p} is more than ${band} from the ${threshold} threshold` };
}

export function combineAnalysis(input: {
  lead: LeadInput;
  probability: number;
  modelClass: LeadClass;
  analysis: LeadAnalysis;
  policy: TriagePolicy;
}): Combined {
  const { lead, probability, modelClass, analysis, policy } = input;
  const keep = (note: string): Combined => ({ class: modelClass, adjustment: null, note });

  if (modelClass === "disqualified") return keep("disqualified by rule: the LLM cannot change that");
  const signal = directionOf(analysis);
  if (!signal) return keep("the analysis points neither up nor down: the model's class stands");
  const injected = instructionLikeText(lead);
  if (injected.length > 0) {
    const first = injected[0]!;
    return keep(
      `the lead's ${first.field} field contains text addressed to an AI ("${first.text}": ${first.label}), a possible ` +
        "prompt injection: the LLM may not change this lead's class",
    );
  }
  if (analysis.confidence !== "high") {
    return keep(
      `the analysis points ${signal.direction} (${signal.why}) with ${analysis.confidence} confidence only: the model's class stands`,
    );
  }
  const evidence = normalize(analysis.evidence);
  if (evidence === "" || !normalize(lead.notes ?? "").includes(evidence)) {
    return keep(
      `the analysis points ${signal.direction}, but its evidence is not a quote from the notes: the model's class stands`,
    );
  }
  const step = ladder.indexOf(modelClass) + (signal.direction === "up" ? 1 : -1);
  const to = ladder[step];
  if (to === undefined)
    return keep(`the analysis points ${signal.direction}, and ${modelClass} is already the end of the scale`);
  const band = withinBand(modelClass, signal.direction, probability, policy);
  if (!band.ok)
    return keep(`the analysis points ${signal.direction}, but ${band.why}: the model's number stands`);
  return {
    class: to,
    adjustment: {
      from: modelClass,
      to,
      reason: `LLM analysis (${signal.why}, high confidence; notes: "${analysis.evidence.trim()}") and ${band.why}`,
    },
    note: `moved one step ${signal.direction}, from ${modelClass} to ${to}`,
  };
}

/** The route of an adjusted class, saying both what the model said and why the class moved. */
export function adjustedRoute(adjustment: ClassAdjustment, probability: number): HandoffDecision {
  const { to, action } = routeActions[adjustment.to];
  return {
    to,
    reason:
      `${adjustment.to} lead: the model's p=${probability.toFixed(2)} makes it ${adjustment.from}, moved one step ` +
      `to ${adjustment.to} by the ${adjustment.reason}: ${action}`,
  };
}
