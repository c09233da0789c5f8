import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import { allocationProbabilities, type BetaArm, betaArm, thompsonChoose } from "./bandit.js";
import type { CampaignSnapshot } from "./campaign.js";
import { offlineNarrative } from "./narrative.js";
import { mulberry32 } from "./random.js";
import { type Recommendation, recommendStrategy } from "./strategy.js";

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
  /** The stored campaign a question was answered from, with the statistics' recommendations. */
  campaign?: { id: string; name: string; recommendations: Recommendation[] } | null;
  model: ModelLabel;
  /** Why the LLM narrative was not used, when a model was configured. */
  fallback?: string;
}

export interface OptimizationOutcome {
  result: OptimizationResult;
  handoff: HandoffDecision;
}

const POSTERIOR_DRAWS = 4_000;

export interface OptimizationInput {
  variantIds: string[];
  stats: VariantStats[];
  seed: number;
  /** A question about campaigns, when the run has no lead. */
  question?: string | null;
  /** The stored campaign the question names, if one matched. */
  campaign?: CampaignSnapshot | null;
  /** The lead sent a message engagement has not read yet (triage routed the lead here first). */
  pendingReply?: boolean;
}

/** Answers a question about a stored campaign from its readout (offline: the rule-based strategy). */
export function answerCampaignQuestion(campaign: CampaignSnapshot, seed: number): OptimizationOutcome {
  const withTrials = campaign.variants.filter((v) => v.impressions > 0 || v.conversions > 0);
  const recommendations =
    campaign.variants.length >= 2
      ? recommendStrategy({
          variants: campaign.variants.map((v) => ({
            id: v.name,
            conversions: v.conversions,
            trials: v.impressions,
          })),
          seed,
        }).recommendations
      : [];
  const text =
    recommendations.length > 0
      ? offlineNarrative(recommendations)
      : `Campaign "${campaign.name}" has ${campaign.variants.length} variant(s) and ${withTrials.length} with results: nothing to compare yet.`;
  const first = recommendations[0];
  return {
    result: {
      selected: null,
      arms: [],
      strategy: text,
      campaign: { id: campaign.id, name: campaign.name, recommendations },
      model: OFFLINE,
    },
    handoff: {
      to: "end",
      reason: first
        ? `answered from campaign "${campaign.name}"'s readout: ${first.action}`
        : `campaign "${campaign.name}" has no experiment to read yet`,
    },
  };
}

/**
 * Chooses among drafted variants by Thompson sampling on their track record (one posterior draw per
 * arm, the largest wins); answers a campaign question from the stored campaign's readout; or enrols a
 * lead with no drafts in the nurture campaign.
 */
export function runOptimization(input: OptimizationInput): OptimizationOutcome {
  // A reply may be an opt-out: it is read before any campaign decision about the lead.
  if (input.pendingReply) {
    return {
      result: { selected: null, arms: [], strategy: "read the lead's reply first", model: OFFLINE },
      handoff: {
        to: "engagement",
        reason: "the lead sent a message: engagement reads it before any campaign step",
      },
    };
  }
  if (input.variantIds.length === 0 && input.campaign)
    return answerCampaignQuestion(input.campaign, input.seed);
  if (input.variantIds.length === 0 && input.question) {
    return {
      result: {
        selected: null,
        arms: [],
        strategy: "no stored campaign matches the question: name a campaign (campaigns.list shows them)",
        campaign: null,
        model: OFFLINE,
      },
      handoff: { to: "end", reason: "campaign question, but no stored campaign matches it" },
    };
  }
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
