import type { ChatOpenAI } from "@langchain/openai";
import type { LeadInput } from "../../db/lead-input.js";
import { type LlmErrorCode, LlmOutputError } from "../../llm/errors.js";
import { modelLabelOf } from "../../llm/provider.js";
import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import type { LeadAnalysis } from "./analysis-schema.js";
import { analyzeLead } from "./analyze.js";
import {
  classify,
  disqualificationReasons,
  type LeadClass,
  routeFor,
  type TriagePolicy,
} from "./classify.js";
import { adjustedRoute, type ClassAdjustment, combineAnalysis } from "./combine.js";
import { routeMessage } from "./intent.js";
import { scoreLead, type TriageModel } from "./model.js";
import { describeRecalibration, type Recalibration, recalibrate } from "./recalibration.js";

export interface TriageDeps {
  model: TriageModel;
  policy: TriagePolicy;
  /**
   * The tenant's outcome recalibration of this model (`recalibration.ts`): applied to the model's
   * probability before classing, when it maps this model. Null or absent: the model's number stands.
   */
  recalibration?: Recalibration | null;
  /** The lead's profile as text (stage, reply intent, last touch): what the LLM analysis reads besides the lead. */
  history?: string | null;
  /** The chat model for the LLM path; null or absent: offline only. */
  llm?: ChatOpenAI | null;
  /** Cancels the LLM call (the graph passes its run's signal); a cancel propagates, it is not a failure. */
  signal?: AbortSignal;
}

/** What the LLM path did for one lead. Plain JSON: it lives in checkpointed graph state. */
export type TriageLlmOutcome =
  | {
      status: "analyzed";
      /** The chat model that wrote the analysis. */
      model: ModelLabel;
      analysis: LeadAnalysis;
      /** Set when the analysis moved the class one step (see `combine.ts` for the rule). */
      adjustment: ClassAdjustment | null;
      /** Why the class moved or stayed. */
      note: string;
    }
  | {
      status: "failed";
      model: ModelLabel;
      error: { code: LlmErrorCode; message: string; attempts: number };
      note: string;
    }
  | { status: "skipped"; model: ModelLabel; note: string };

export interface TriageResult {
  /**
   * Calibrated probability that the lead converts: the scoring model's number, recalibrated to the
   * tenant's recorded outcomes when there are enough of them (see `recalibration`).
   */
  score: number;
  class: LeadClass;
  /** The class from the scoring model and the rules alone; differs from `class` only after an LLM adjustment. */
  modelClass: LeadClass;
  factors: { feature: string; contribution: number; direction: "+" | "-" }[];
  reasons: string[];
  /** Which scoring model produced the number (kind and version). */
  scoringModel: string;
  /**
   * Set when recorded outcomes moved the score: the model's own probability, and the map fitted to how
   * many outcomes. Factors explain the model's probability; the map shifts it as a whole.
   */
  recalibration?: {
    modelScore: number;
    /** Labelled leads (kernel-weighted) the model scored about as it scored this one, and the converted among them. */
    nearby: number;
    nearbyConverted: number;
    /** All labelled leads of the tenant the map was fitted on, and when. */
    labelled: number;
    fittedAt: string;
  };
  /** Which agent model produced this result: the chat model's name when its analysis is in it, else "offline". */
  model: ModelLabel;
  /** The LLM path's record; null when no chat model is configured. */
  llm: TriageLlmOutcome | null;
}

export interface TriageOutcome {
  result: TriageResult | null;
  handoff: HandoffDecision;
}

/** Scores, classifies and routes a lead by the model and the rules alone. Deterministic. */
export function runTriageOffline(
  input: { lead?: LeadInput | null; message?: string | null },
  deps: Pick<TriageDeps, "model" | "policy" | "recalibration">,
): TriageOutcome {
  if (!input.lead) return { result: null, handoff: routeMessage(input.message ?? "") };
  const scored = scoreLead(deps.model, input.lead);
  const scoringModel = `${deps.model.kind}@${deps.model.version}`;
  const map = deps.recalibration?.scoringModel === scoringModel ? deps.recalibration : null;
  const adjusted = map ? recalibrate(map, scored.probability) : null;
  const probability = adjusted ? adjusted.probability : scored.probability;
  const reasons = disqualificationReasons(input.lead, deps.policy);
  const leadClass = classify(probability, reasons.length > 0, deps.policy);
  const handoff = routeFor(leadClass, probability, deps.policy);
  const explained = reasons.length > 0 ? reasons : [handoff.reason];
  return {
    result: {
      score: probability,
      class: leadClass,
      modelClass: leadClass,
      factors: scored.factors.slice(0, 5),
      reasons: adjusted ? [...explained, describeRecalibration(scored.probability, adjusted)] : explained,
      scoringModel,
      ...(map && adjusted
        ? {
            recalibration: {
              modelScore: scored.probability,
              nearby: adjusted.nearby,
              nearbyConverted: adjusted.nearbyConverted,
              labelled: map.labelled,
              fittedAt: map.fittedAt,
            },
          }
        : {}),
      model: OFFLINE,
      llm: null,
    },
    handoff: reasons.length > 0 ? disqualifiedRoute(reasons, input.message) : handoff,
  };
}

/**
 * A disqualified lead gets no outreach, but a reply it sent is still read: an opt-out must be recorded
 * (suppression and outcome) whatever the lead's class, so engagement reads it and drafts nothing.
 */
function disqualifiedRoute(reasons: readonly string[], message: string | null | undefined): HandoffDecision {
  const why = `disqualified: ${reasons.join("; ")}`;
  return message?.trim()
    ? { to: "engagement", reason: `${why}; no outreach, but its reply is read so an opt-out is recorded` }
    : { to: "end", reason: why };
}

/**
 * Scores and classifies a lead, or routes a bare message by intent. With `deps.llm`, a lead that is not
 * disqualified also gets the LLM's structured analysis, combined with the model's probability by the rule
 * in `combine.ts`. If the LLM fails (`LlmOutputError`), the offline result stands and the failure is
 * recorded in `result.llm`; nothing throws except a cancel through `deps.signal`.
 */
export async function runTriage(
  input: { lead?: LeadInput | null; message?: string | null },
  deps: TriageDeps,
): Promise<TriageOutcome> {
  const offline = runTriageOffline(input, deps);
  const { result } = offline;
  if (!deps.llm || !input.lead || !result) return offline;
  const lead = input.lead;
  const model = modelLabelOf(deps.llm);
  if (result.class === "disqualified") {
    return {
      ...offline,
      result: {
        ...result,
        llm: { status: "skipped", model, note: "disqualified by rule: no analysis needed" },
      },
    };
  }

  let analysis: LeadAnalysis;
  try {
    analysis = await analyzeLead(
      deps.llm,
      lead,
      { probability: result.score, leadClass: result.class, factors: result.factors },
      {
        ...(deps.signal ? { signal: deps.signal } : {}),
        ...(deps.history ? { history: deps.history } : {}),
      },
    );
  } catch (error) {
    if (!(error instanceof LlmOutputError)) throw error;
    const failed: TriageLlmOutcome = {
      status: "failed",
      model,
      error: { code: error.code, message: error.message, attempts: error.attempts },
      note: "the LLM gave no usable analysis: the offline result stands",
    };
    return { ...offline, result: { ...result, llm: failed } };
  }

  const combined = combineAnalysis({
    lead,
    probability: result.score,
    modelClass: result.class,
    analysis,
    policy: deps.policy,
  });
  const handoff = combined.adjustment ? adjustedRoute(combined.adjustment, result.score) : offline.handoff;
  return {
    result: {
      ...result,
      class: combined.class,
      reasons: combined.adjustment ? [handoff.reason] : result.reasons,
      model,
      llm: { status: "analyzed", model, analysis, adjustment: combined.adjustment, note: combined.note },
    },
    handoff,
  };
}
