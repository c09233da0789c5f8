/**
 * Rule-based strategy from the statistics: the offline path of the optimization agent, used when no LLM
 * is configured and as the grounded facts an LLM may phrase. Every recommendation carries the numbers
 * that justify it; the same input and seed give the same output.
 */
import { type AbTestReadout, abTestReadout } from "./ab-test.js";
import { allocateBudget } from "./budget.js";
import { forecastConversions } from "./forecast.js";
import { parseInput, type StrategyChannel, StrategyInput } from "./schema.js";

export type RecommendationKind =
  | "declare_winner"
  | "keep_testing"
  | "pause_variant"
  | "shift_budget"
  | "allocate_budget"
  | "forecast";

export interface Recommendation {
  /** Machine-readable, for routing; `action` is the human sentence. */
  readonly kind: RecommendationKind;
  readonly action: string;
  readonly reason: string;
  /** Rates and probabilities as fractions (0.97, not 97), amounts in currency units. */
  readonly evidence: Record<string, number>;
}

export interface StrategyRecommendation {
  readonly recommendations: Recommendation[];
}

/** Recommendations for an experiment and/or a channel budget. */
export function recommendStrategy(input: StrategyInput): StrategyRecommendation {
  const o = parseInput(StrategyInput, input, "strategy input");
  const recommendations: Recommendation[] = [];
  if (o.variants !== undefined) {
    const readout = abTestReadout(o.variants, {
      lossThreshold: o.lossThreshold,
      minTrialsPerArm: o.minTrialsPerArm,
      seed: o.seed,
    });
    recommendations.push(experimentDecision(readout));
    if (!readout.decision.stop) recommendations.push(...pauses(readout, o.pauseBelow));
    if (o.plannedSends !== undefined) recommendations.push(forecastFor(readout, o.plannedSends));
  }
  if (o.channels !== undefined) {
    const total = o.budget ?? o.channels.reduce((s, c) => s + (c.currentAmount ?? 0), 0);
    if (total > 0) recommendations.push(...budgetMoves(o.channels, total, o));
  }
  return { recommendations };
}

function experimentDecision(readout: AbTestReadout): Recommendation {
  const { decision } = readout;
  const leader = readout.variants.find((v) => v.id === readout.leader)!;
  const runnerUp = readout.variants
    .filter((v) => v.id !== leader.id)
    .reduce((best, v) => (v.posteriorMean > best.posteriorMean ? v : best));
  const lift = leader.posteriorMean / runnerUp.posteriorMean - 1;
  const fewestTrials = Math.min(...readout.variants.map((v) => v.trials));
  const evidence = {
    probabilityBest: leader.probabilityBest,
    expectedLoss: leader.expectedLoss,
    lossThreshold: decision.lossThreshold,
    posteriorMean: leader.posteriorMean,
    credibleLower: leader.credibleInterval.lower,
    credibleUpper: leader.credibleInterval.upper,
    relativeLiftOverRunnerUp: lift,
    fewestTrials,
  };
  if (decision.stop) {
    return {
      kind: "declare_winner",
      action: `declare ${leader.id} the winner`,
      reason:
        `${leader.id} converts at ${percent(leader.posteriorMean)} (95% credible ` +
        `${percent(leader.credibleInterval.lower)}–${percent(leader.credibleInterval.upper)}), ` +
        `P(best)=${leader.probabilityBest.toFixed(3)}, expected loss ${points(leader.expectedLoss)} ` +
        `below the ${points(decision.lossThreshold)} threshold, ${relative(lift)} over ${runnerUp.id}.`,
      evidence,
    };
  }
  const why =
    decision.reason === "insufficient_sample"
      ? `the smallest arm has ${fewestTrials} trials, below the minimum of ${decision.minTrialsPerArm}`
      : `shipping ${leader.id} now risks an expected loss of ${points(leader.expectedLoss)}, above the ` +
        `${points(decision.lossThreshold)} threshold`;
  return {
    kind: "keep_testing",
    action: "keep testing",
    reason:
      `Leader ${leader.id} has P(best)=${leader.probabilityBest.toFixed(3)} but ${why}; ` +
      `need ~${decision.additionalTrialsPerArm} more trials per arm if current rates hold.`,
    evidence: { ...evidence, additionalTrialsPerArm: decision.additionalTrialsPerArm },
  };
}

function pauses(readout: AbTestReadout, pauseBelow: number): Recommendation[] {
  // With two arms, pausing one is declaring the other; that is the stopping rule's call, not this one's.
  if (readout.variants.length < 3) return [];
  return readout.variants
    .filter((v) => v.id !== readout.leader && v.probabilityBest < pauseBelow)
    .map((v) => ({
      kind: "pause_variant" as const,
      action: `pause variant ${v.id}`,
      reason:
        `P(best)=${v.probabilityBest.toFixed(4)} is below ${pauseBelow}: it is almost surely not the ` +
        `winner, and shipping it would give up an expected ${points(v.expectedLoss)} of conversion rate.`,
      evidence: {
        probabilityBest: v.probabilityBest,
        expectedLoss: v.expectedLoss,
        posteriorMean: v.posteriorMean,
        trials: v.trials,
        pauseBelow,
      },
    }));
}

function forecastFor(readout: AbTestReadout, sends: number): Recommendation {
  const leader = readout.variants.find((v) => v.id === readout.leader)!;
  const f = forecastConversions(leader.posterior, sends);
  return {
    kind: "forecast",
    action: `forecast conversions for ${leader.id}`,
    reason:
      `${sends} sends with ${leader.id} should bring about ${Math.round(f.expected)} conversions ` +
      `(90% interval ${f.interval.lower}–${f.interval.upper}).`,
    evidence: { sends, expected: f.expected, lower: f.interval.lower, upper: f.interval.upper },
  };
}

function budgetMoves(
  channels: readonly StrategyChannel[],
  total: number,
  o: { seed: number; minShare: number; shiftAtLeast: number },
): Recommendation[] {
  // Plans are in whole cents; a budget given with more precision is rounded, not rejected.
  const plan = allocateBudget(channels, {
    total: Math.round(total * 100) / 100,
    minShare: o.minShare,
    seed: o.seed,
  });
  const hasCurrent = channels.some((c) => c.currentAmount !== undefined);
  if (!hasCurrent) {
    const evidence: Record<string, number> = {};
    for (const a of plan.allocations) evidence[a.id] = a.amount;
    return [
      {
        kind: "allocate_budget",
        action: "allocate budget",
        reason: plan.allocations
          .map((a) => `${a.id} ${money(a.amount)} (P(best)=${a.probabilityBest.toFixed(2)})`)
          .join(", "),
        evidence,
      },
    ];
  }
  const deltas = plan.allocations.map((a, i) => ({ ...a, current: channels[i]!.currentAmount ?? 0 }));
  const losers = deltas.filter((d) => d.amount < d.current);
  return deltas
    .filter((d) => d.amount - d.current >= o.shiftAtLeast * plan.total)
    .map((d) => ({
      kind: "shift_budget" as const,
      action: `shift budget to ${d.id}`,
      reason:
        `${d.id} is the best value per unit spent with P=${d.probabilityBest.toFixed(2)} ` +
        `(expected ${money(d.expectedCostPerConversion)} per conversion); raise it from ` +
        `${money(d.current)} to ${money(d.amount)}` +
        (losers.length > 0
          ? `, taking from ${losers.map((l) => `${l.id} (${money(l.current)} → ${money(l.amount)})`).join(", ")}.`
          : "."),
      evidence: {
        probabilityBest: d.probabilityBest,
        currentAmount: d.current,
        recommendedAmount: d.amount,
        expectedCostPerConversion: d.expectedCostPerConversion,
        shareOfBudget: d.share,
      },
    }));
}

const percent = (x: number) => `${(100 * x).toFixed(2)}%`;
const points = (x: number) => `${(100 * x).toFixed(3)} pp`;
const relative = (x: number) => `${x >= 0 ? "+" : ""}${(100 * x).toFixed(1)}%`;
const money = (x: number) => x.toFixed(2);
