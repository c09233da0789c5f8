import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import { allocationProbabilities, type BetaArm, betaArm, thompsonChoose } from "./bandit.js";
import { mulberry32 } from "./random.js";

/** Observed outcomes of one variant: the Beta posterior is Beta(1 + successes, 1 + failures). */
export interface VariantStats {
  variantId: string;
  successes: number;
  trials: number;
}

export interface OptimizationResult {
  /** The variant chosen by Thompson sampling, or null when there was nothing to choose from. */
  selected: { variantId: string; probabilityBest: number; reason: string } | null;
  arms: { variantId: string; alpha: number; beta: number; probabilityBest: number }[];
  strategy: string;
  model: ModelLabel;
}

export interface OptimizationOutcome {
  result: OptimizationResult;
  handoff: HandoffDecision;
}

const POSTERIOR_DRAWS = 4_000;

/**
 * Chooses among drafted variants by Thompson sampling on their track record (one posterior draw per
 * arm, the largest wins), or enrols a lead with no drafts in the nurture campaign.
 */
export function runOptimization(input: {
  variantIds: string[];
  stats: VariantStats[];
  seed: number;
}): OptimizationOutcome {
  if (input.variantIds.length === 0) {
    return {
      result: {
        selected: null,
        arms: [],
        strategy: "enrol in the nurture campaign; re-triage on new activity",
        model: OFFLINE,
      },
      handoff: { to: "end", reason: "enrolled in nurture campaign: no immediate outreach" },
    };
  }
  const byId = new Map(input.stats.map((s) => [s.variantId, s]));
  const arms: BetaArm[] = input.variantIds.map((id) => {
    const s = byId.get(id);
    const arm = betaArm(id);
    return s ? { id, alpha: arm.alpha + s.successes, beta: arm.beta + (s.trials - s.successes) } : arm;
  });
  const rng = mulberry32(input.seed);
  const chosen = arms[thompsonChoose(arms, rng)]!;
  const pBest = allocationProbabilities(arms, POSTERIOR_DRAWS, rng);
  const chosenIndex = arms.indexOf(chosen);
  const observed = byId.get(chosen.id);
  const evidence = observed
    ? `${observed.successes}/${observed.trials} successes so far`
    : "no outcomes recorded yet (uniform prior)";
  const probabilityBest = pBest[chosenIndex]!;
  return {
    result: {
      selected: {
        variantId: chosen.id,
        probabilityBest,
        reason: `Thompson sampling over ${arms.length} variants chose ${chosen.id}: ${evidence}, P(best)=${probabilityBest.toFixed(2)}`,
      },
      arms: arms.map((a, i) => ({
        variantId: a.id,
        alpha: a.alpha,
        beta: a.beta,
        probabilityBest: pBest[i]!,
      })),
      strategy: "send the selected variant; outcomes update its posterior",
      model: OFFLINE,
    },
    handoff: { to: "engagement", reason: `variant ${chosen.id} selected: back to engagement to send it` },
  };
}
