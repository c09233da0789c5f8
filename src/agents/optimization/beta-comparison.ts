/**
 * Comparing Beta posteriors: the probability that one rate beats another and the expected loss of
 * choosing each, in closed form for two arms and by Monte Carlo for any number. The closed forms are
 * what the A/B readout reports; quadrature and Monte Carlo are the independent checks beside them.
 */
import { OptimizationError } from "./errors.js";
import { type Rng, beta as sampleBeta } from "./random.js";
import type { BetaParameters } from "./schema.js";
import { betaCdf, betaPdf, betaQuantile, logBeta } from "./special-functions.js";

/**
 * P(p_B > p_A) for p_A ~ Beta(a.alpha, a.beta), p_B ~ Beta(b.alpha, b.beta), exactly, when b.alpha is an
 * integer:
 *
 *   Σ_{i=0}^{α_B−1} B(α_A+i, β_A+β_B) / ((β_B+i) · B(1+i, β_B) · B(α_A, β_A))
 *
 * (Evan Miller, "Formulas for Bayesian A/B testing", https://www.evanmiller.org/bayesian-ab-testing.html).
 * When only a.alpha is an integer it uses 1 − P(p_A > p_B), the two events differing by a null set.
 * Terms are summed in log space, so tens of thousands of conversions are fine.
 */
export function probabilityBeatsExact(a: BetaParameters, b: BetaParameters): number {
  if (!Number.isInteger(b.alpha)) {
    if (Number.isInteger(a.alpha)) return 1 - probabilityBeatsExact(b, a);
    throw new OptimizationError(
      "invalid_input",
      `the closed form needs an integer alpha on one side, got ${a.alpha} and ${b.alpha}`,
    );
  }
  const logBetaA = logBeta(a.alpha, a.beta);
  let total = 0;
  for (let i = 0; i < b.alpha; i++) {
    total += Math.exp(
      logBeta(a.alpha + i, a.beta + b.beta) - Math.log(b.beta + i) - logBeta(1 + i, b.beta) - logBetaA,
    );
  }
  return Math.min(1, Math.max(0, total));
}

/** Whether `probabilityBeatsExact` applies to this pair. */
export function hasClosedForm(a: BetaParameters, b: BetaParameters): boolean {
  return Number.isInteger(a.alpha) || Number.isInteger(b.alpha);
}

/**
 * P(p_B > p_A) = ∫ f_B(x) · F_A(x) dx by composite Simpson's rule over the central 1 − 1e-12 of B's
 * mass. An independent route to the closed form (different identity, different code), used to check it.
 */
export function probabilityBeatsNumeric(a: BetaParameters, b: BetaParameters, intervals = 4000): number {
  const lo = betaQuantile(1e-12, b.alpha, b.beta);
  const hi = betaQuantile(1 - 1e-12, b.alpha, b.beta);
  const n = intervals % 2 === 0 ? intervals : intervals + 1;
  const h = (hi - lo) / n;
  const integrand = (x: number) => betaPdf(x, b.alpha, b.beta) * betaCdf(x, a.alpha, a.beta);
  let sum = integrand(lo) + integrand(hi);
  for (let i = 1; i < n; i++) sum += (i % 2 === 1 ? 4 : 2) * integrand(lo + i * h);
  return (sum * h) / 3;
}

/** Expected loss, in absolute rate, of shipping A and of shipping B. */
export interface PairwiseLoss {
  readonly chooseA: number;
  readonly chooseB: number;
}

/**
 * Expected loss E[max(p_other − p_chosen, 0)] for two arms in closed form (Chris Stucchio, "Bayesian A/B
 * Testing at VWO", 2015, §4): with h(A, B) = P(p_B > p_A) and A⁺ = Beta(α_A + 1, β_A),
 *
 *   loss(A) = E[p_B]·h(A, B⁺) − E[p_A]·h(A⁺, B)
 *
 * because E[p_B · 1{p_B > p_A}] = E[p_B] · P(p_B⁺ > p_A) (size-biasing a Beta raises alpha by one).
 */
export function expectedLossExact(a: BetaParameters, b: BetaParameters): PairwiseLoss {
  const meanA = a.alpha / (a.alpha + a.beta);
  const meanB = b.alpha / (b.alpha + b.beta);
  const aPlus = { alpha: a.alpha + 1, beta: a.beta };
  const bPlus = { alpha: b.alpha + 1, beta: b.beta };
  const chooseA = meanB * probabilityBeatsExact(a, bPlus) - meanA * probabilityBeatsExact(aPlus, b);
  const chooseB = meanA * probabilityBeatsExact(b, aPlus) - meanB * probabilityBeatsExact(bPlus, a);
  // Cancellation can leave a tiny negative number when one arm dominates; a loss is never negative.
  return { chooseA: Math.max(0, chooseA), chooseB: Math.max(0, chooseB) };
}

/** Monte Carlo summary of n posteriors, aligned with the input. */
export interface MonteCarloComparison {
  /** Share of joint draws in which each arm has the highest rate. */
  readonly probabilityBest: number[];
  /** Mean of (best rate in the draw − this arm's rate): the expected loss of shipping this arm. */
  readonly expectedLoss: number[];
}

/** Probability best and expected loss for any number of arms from `draws` joint posterior samples. */
export function compareByMonteCarlo(
  posteriors: readonly BetaParameters[],
  draws: number,
  rng: Rng,
): MonteCarloComparison {
  if (posteriors.length === 0) {
    throw new OptimizationError("invalid_input", "at least one posterior is needed");
  }
  if (!(Number.isInteger(draws) && draws > 0)) {
    throw new OptimizationError("invalid_input", `draws must be a positive integer, got ${draws}`);
  }
  const k = posteriors.length;
  const wins = new Array<number>(k).fill(0);
  const lossSums = new Array<number>(k).fill(0);
  const sample = new Array<number>(k).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    for (let i = 0; i < k; i++) {
      const p = posteriors[i]!;
      sample[i] = sampleBeta(rng, p.alpha, p.beta);
      if (sample[i]! > sample[best]!) best = i;
    }
    wins[best]! += 1;
    const max = sample[best]!;
    for (let i = 0; i < k; i++) lossSums[i]! += max - sample[i]!;
  }
  return { probabilityBest: wins.map((w) => w / draws), expectedLoss: lossSums.map((s) => s / draws) };
}
