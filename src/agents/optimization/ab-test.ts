/**
 * Bayesian A/B(/n) readout for conversion experiments: posteriors under a Beta prior, credible
 * intervals, probability each variant is best, expected loss of shipping each, and a stopping rule on
 * expected loss (Stucchio 2015) with a minimum sample per arm. The frequentist z-test rides along for
 * readers who expect a p-value; decisions do not use it.
 */
import {
  compareByMonteCarlo,
  expectedLossExact,
  hasClosedForm,
  probabilityBeatsExact,
} from "./beta-comparison.js";
import { OptimizationError } from "./errors.js";
import { mulberry32 } from "./random.js";
import { AbTestOptions, type BetaParameters, parseInput, VariantCounts } from "./schema.js";
import { betaQuantile, erfc, normalCdf, normalPdf } from "./special-functions.js";

export interface CredibleInterval {
  readonly lower: number;
  readonly upper: number;
  /** Posterior mass inside, e.g. 0.95. */
  readonly mass: number;
}

export interface VariantReadout extends VariantCounts {
  readonly posterior: BetaParameters;
  readonly posteriorMean: number;
  readonly credibleInterval: CredibleInterval;
  readonly probabilityBest: number;
  /** E[max_j p_j − p_this]: rate given up, in expectation, by shipping this variant. */
  readonly expectedLoss: number;
}

export interface ZTest {
  readonly z: number;
  /** Two-sided. */
  readonly pValue: number;
}

export interface StopDecision {
  readonly stop: boolean;
  readonly reason: "loss_below_threshold" | "loss_above_threshold" | "insufficient_sample";
  readonly leaderExpectedLoss: number;
  readonly lossThreshold: number;
  readonly minTrialsPerArm: number;
  /**
   * More trials each arm needs before the rule can fire, projected with a normal approximation that
   * assumes the observed rates persist (0 when stopping). A planning figure, not a promise.
   */
  readonly additionalTrialsPerArm: number;
}

export interface AbTestReadout {
  readonly variants: VariantReadout[];
  /** The variant with the highest posterior mean, which is also the one with the least expected loss. */
  readonly leader: string;
  readonly decision: StopDecision;
  /** How probabilityBest and expectedLoss were computed. */
  readonly method: "exact" | "monte-carlo";
  /** Each later variant against the first (the control). */
  readonly zTests: readonly ({ readonly id: string } & ZTest)[];
}

/**
 * Reads out an experiment. The first variant is treated as the control for the z-tests only.
 * Deterministic: Monte Carlo uses `options.seed`.
 */
export function abTestReadout(
  variants: readonly VariantCounts[],
  options: AbTestOptions = {},
): AbTestReadout {
  const counts = parseInput(VariantCounts.array().min(2), variants, "A/B variants");
  const o = parseInput(AbTestOptions, options, "A/B options");
  const ids = new Set(counts.map((v) => v.id));
  if (ids.size !== counts.length) throw new OptimizationError("invalid_input", "variant ids must be unique");

  const posteriors = counts.map((v) => ({
    alpha: o.prior.alpha + v.conversions,
    beta: o.prior.beta + v.trials - v.conversions,
  }));
  const exactApplies = counts.length === 2 && hasClosedForm(posteriors[0]!, posteriors[1]!);
  if (o.method === "exact" && !exactApplies) {
    throw new OptimizationError("invalid_input", "the exact method needs two variants and an integer alpha");
  }
  const method = o.method === "monte-carlo" || !exactApplies ? "monte-carlo" : "exact";

  let probabilityBest: number[];
  let expectedLoss: number[];
  if (method === "exact") {
    const [a, b] = posteriors as [BetaParameters, BetaParameters];
    const pB = probabilityBeatsExact(a, b);
    const loss = expectedLossExact(a, b);
    probabilityBest = [1 - pB, pB];
    expectedLoss = [loss.chooseA, loss.chooseB];
  } else {
    ({ probabilityBest, expectedLoss } = compareByMonteCarlo(posteriors, o.draws, mulberry32(o.seed)));
  }

  const tail = (1 - o.credibleMass) / 2;
  const readouts = counts.map((v, i): VariantReadout => {
    const post = posteriors[i]!;
    return {
      ...v,
      posterior: post,
      posteriorMean: post.alpha / (post.alpha + post.beta),
      credibleInterval: {
        lower: betaQuantile(tail, post.alpha, post.beta),
        upper: betaQuantile(1 - tail, post.alpha, post.beta),
        mass: o.credibleMass,
      },
      probabilityBest: probabilityBest[i]!,
      expectedLoss: expectedLoss[i]!,
    };
  });

  let leaderIndex = 0;
  for (let i = 1; i < readouts.length; i++) {
    if (readouts[i]!.posteriorMean > readouts[leaderIndex]!.posteriorMean) leaderIndex = i;
  }
  const leader = readouts[leaderIndex]!;
  const control = counts[0]!;
  return {
    variants: readouts,
    leader: leader.id,
    decision: stoppingDecision(readouts, leaderIndex, o.lossThreshold, o.minTrialsPerArm),
    method,
    zTests: counts.slice(1).map((v) => ({ id: v.id, ...twoProportionZTest(control, v) })),
  };
}

/**
 * The stopping rule: stop when the leader's expected loss is below `lossThreshold` and every arm has at
 * least `minTrialsPerArm` trials. Expected loss, unlike P(best), stays small when two arms are equally
 * good, so the rule also ends tests that cannot produce a meaningful winner (Stucchio 2015).
 */
export function stoppingDecision(
  variants: readonly VariantReadout[],
  leaderIndex: number,
  lossThreshold: number,
  minTrialsPerArm: number,
): StopDecision {
  const leader = variants[leaderIndex]!;
  const fewestTrials = Math.min(...variants.map((v) => v.trials));
  const lossOk = leader.expectedLoss < lossThreshold;
  const sampleOk = fewestTrials >= minTrialsPerArm;
  const stop = lossOk && sampleOk;
  const needed = stop
    ? 0
    : Math.max(
        minTrialsPerArm - fewestTrials,
        projectedTrialsPerArm(variants, leaderIndex, lossThreshold) - fewestTrials,
        0,
      );
  return {
    stop,
    reason: stop ? "loss_below_threshold" : sampleOk ? "loss_above_threshold" : "insufficient_sample",
    leaderExpectedLoss: leader.expectedLoss,
    lossThreshold,
    minTrialsPerArm,
    additionalTrialsPerArm: Math.ceil(needed),
  };
}

/**
 * Smallest n such that, with n trials on every arm and the observed rates unchanged, the leader's
 * expected loss falls below `threshold`. Per rival k the loss is approximated by the normal formula
 * E[max(D, 0)] = σφ(δ/σ) − δΦ(−δ/σ), D ~ N(−δ, σ²), δ the gap in means and
 * σ² = p_L(1−p_L)/n + p_k(1−p_k)/n; the sum over rivals bounds E[max_k p_k − p_L] from above.
 */
export function projectedTrialsPerArm(
  variants: readonly Pick<VariantReadout, "posteriorMean">[],
  leaderIndex: number,
  threshold: number,
): number {
  const pL = variants[leaderIndex]!.posteriorMean;
  const lossAt = (n: number) => {
    let total = 0;
    variants.forEach((v, k) => {
      if (k === leaderIndex) return;
      const pK = v.posteriorMean;
      const sigma = Math.sqrt((pL * (1 - pL) + pK * (1 - pK)) / n);
      const delta = pL - pK;
      total += sigma * normalPdf(delta / sigma) - delta * normalCdf(-delta / sigma);
    });
    return total;
  };
  let hi = 1;
  while (lossAt(hi) >= threshold) {
    hi *= 2;
    if (hi > 2 ** 40) return Number.POSITIVE_INFINITY;
  }
  let lo = hi / 2;
  while (hi - lo > 1) {
    const mid = Math.floor((lo + hi) / 2);
    if (lossAt(mid) >= threshold) lo = mid;
    else hi = mid;
  }
  return hi;
}

/**
 * Pooled two-proportion z-test of B against A, two-sided: z = (p̂_B − p̂_A) / sqrt(p̂(1−p̂)(1/n_A + 1/n_B))
 * with p̂ the pooled rate (NIST/SEMATECH e-Handbook §7.3.3). Reference only.
 */
export function twoProportionZTest(a: VariantCounts, b: VariantCounts): ZTest {
  if (a.trials === 0 || b.trials === 0) return { z: 0, pValue: 1 };
  const pooled = (a.conversions + b.conversions) / (a.trials + b.trials);
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / a.trials + 1 / b.trials));
  if (se === 0) return { z: 0, pValue: 1 };
  const z = (b.conversions / b.trials - a.conversions / a.trials) / se;
  return { z, pValue: Math.min(1, erfc(Math.abs(z) / Math.SQRT2)) };
}
