/**
 * Multi-armed bandit policies for choosing what to show next (ad, subject line, channel) and for
 * splitting traffic. All are pure: state goes in as immutable arms, randomness as an `Rng`, and a
 * choice comes out as an index into the arms array.
 */
import { OptimizationError } from "./errors.js";
import { type Rng, randomInt, beta as sampleBeta } from "./random.js";
import type { BetaParameters } from "./schema.js";

/** An arm with a Beta(alpha, beta) posterior on its success rate (Beta(1, 1) prior + counts). */
export interface BetaArm {
  readonly id: string;
  readonly alpha: number;
  readonly beta: number;
}

/** Pull counts for the frequentist policies (UCB, epsilon-greedy). */
export interface CountArm {
  readonly id: string;
  readonly pulls: number;
  readonly rewardSum: number;
}

/** The uniform prior, Beta(1, 1). */
export const UNIFORM_PRIOR: BetaParameters = { alpha: 1, beta: 1 };

/** A fresh arm carrying only the prior (uniform unless given). */
export function betaArm(id: string, prior: BetaParameters = UNIFORM_PRIOR): BetaArm {
  return { id, alpha: prior.alpha, beta: prior.beta };
}

/**
 * Conjugate update with a reward in [0, 1]. A fractional reward adds fractional pseudo-counts, the usual
 * extension for bounded rewards; for 0/1 rewards it is the exact Beta-Bernoulli posterior.
 */
export function updateBetaArm(arm: BetaArm, reward: number): BetaArm {
  assertReward(reward);
  return { id: arm.id, alpha: arm.alpha + reward, beta: arm.beta + 1 - reward };
}

/** A fresh, never-pulled counting arm. */
export function countArm(id: string): CountArm {
  return { id, pulls: 0, rewardSum: 0 };
}

/** Adds one pull with `reward` in [0, 1]. */
export function updateCountArm(arm: CountArm, reward: number): CountArm {
  assertReward(reward);
  return { id: arm.id, pulls: arm.pulls + 1, rewardSum: arm.rewardSum + reward };
}

/** Returns a copy of `arms` with the arm at `index` replaced by `arm` (for immutable update loops). */
export function replaceArm<A>(arms: readonly A[], index: number, arm: A): A[] {
  const next = arms.slice();
  next[index] = arm;
  return next;
}

/**
 * Thompson sampling (Thompson 1933; Chapelle & Li 2011): draw one rate from each posterior and play the
 * largest. Each arm is then played with the probability that it is the best, which is what makes the
 * exploration self-limiting. Returns the index of the chosen arm.
 */
export function thompsonChoose(arms: readonly BetaArm[], rng: Rng): number {
  assertNonEmpty(arms);
  let best = 0;
  let bestDraw = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < arms.length; i++) {
    const arm = arms[i]!;
    const draw = sampleBeta(rng, arm.alpha, arm.beta);
    if (draw > bestDraw) {
      bestDraw = draw;
      best = i;
    }
  }
  return best;
}

/** The exploration constant c of UCB1 (Auer, Cesa-Bianchi & Fischer 2002): bonus sqrt(2 ln t / n). */
export const UCB1_C = 2;
/** The constant of the dataset README's UCB baseline: bonus sqrt(1.5 ln t / n). */
export const README_UCB_C = 1.5;

/**
 * UCB with bonus sqrt(c · ln t / n), t being the current 1-based round (total pulls + 1). Never-pulled
 * arms are played first, in array order; ties go to the lower index. `c = 2` is UCB1.
 */
export function ucbChoose(arms: readonly CountArm[], c: number = UCB1_C): number {
  assertNonEmpty(arms);
  let t = 1;
  for (const arm of arms) t += arm.pulls;
  const logT = Math.log(t);
  let best = 0;
  let bestIndex = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < arms.length; i++) {
    const arm = arms[i]!;
    if (arm.pulls === 0) return i;
    const index = arm.rewardSum / arm.pulls + Math.sqrt((c * logT) / arm.pulls);
    if (index > bestIndex) {
      bestIndex = index;
      best = i;
    }
  }
  return best;
}

/**
 * Epsilon-greedy: with probability epsilon a uniformly random arm, otherwise the best empirical mean
 * (never-pulled arms count as mean +∞ so each is tried once).
 */
export function epsilonGreedyChoose(arms: readonly CountArm[], epsilon: number, rng: Rng): number {
  assertNonEmpty(arms);
  if (!(epsilon >= 0 && epsilon <= 1))
    throw new OptimizationError("invalid_input", `epsilon must be in [0, 1], got ${epsilon}`);
  if (rng() < epsilon) return randomInt(rng, arms.length);
  let best = 0;
  let bestMean = Number.NEGATIVE_INFINITY;
  for (let i = 0; i < arms.length; i++) {
    const arm = arms[i]!;
    const mean = arm.pulls === 0 ? Number.POSITIVE_INFINITY : arm.rewardSum / arm.pulls;
    if (mean > bestMean) {
      bestMean = mean;
      best = i;
    }
  }
  return best;
}

/**
 * Monte Carlo estimate of the probability that each arm has the highest rate: the share of `draws`
 * joint posterior samples in which it wins. Aligned with `arms`; sums to 1. This is the traffic split
 * of Thompson sampling in batch form ("randomized probability matching", Scott 2010).
 */
export function allocationProbabilities(arms: readonly BetaArm[], draws: number, rng: Rng): number[] {
  return probabilitiesOfBest(arms, draws, rng, (_arm, rate) => rate);
}

/**
 * Monte Carlo probability that each arm maximises `value(arm, sampledRate)` (e.g. conversions per unit
 * cost rather than the raw rate). Aligned with `arms`.
 */
export function probabilitiesOfBest<A extends BetaParameters>(
  arms: readonly A[],
  draws: number,
  rng: Rng,
  value: (arm: A, rate: number) => number,
): number[] {
  assertNonEmpty(arms);
  if (!(Number.isInteger(draws) && draws > 0))
    throw new OptimizationError("invalid_input", `draws must be a positive integer, got ${draws}`);
  const wins = new Array<number>(arms.length).fill(0);
  for (let d = 0; d < draws; d++) {
    let best = 0;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (let i = 0; i < arms.length; i++) {
      const arm = arms[i]!;
      const v = value(arm, sampleBeta(rng, arm.alpha, arm.beta));
      if (v > bestValue) {
        bestValue = v;
        best = i;
      }
    }
    wins[best]! += 1;
  }
  return wins.map((w) => w / draws);
}

/**
 * Discounted Thompson sampling for drifting rates (Raj & Kalyani 2017, "Taming non-stationary bandits:
 * a Bayesian approach", arXiv:1707.09727): before each update every arm's evidence decays by `discount`
 * towards the prior, so old observations weigh discount^age and the posterior can follow a change.
 */
export function discountBetaArms(
  arms: readonly BetaArm[],
  discount: number,
  prior: BetaParameters = UNIFORM_PRIOR,
): BetaArm[] {
  if (!(discount > 0 && discount <= 1))
    throw new OptimizationError("invalid_input", `discount must be in (0, 1], got ${discount}`);
  return arms.map((arm) => ({
    id: arm.id,
    alpha: prior.alpha + discount * (arm.alpha - prior.alpha),
    beta: prior.beta + discount * (arm.beta - prior.beta),
  }));
}

function assertReward(reward: number): void {
  if (!(reward >= 0 && reward <= 1))
    throw new OptimizationError("invalid_input", `reward must be in [0, 1], got ${reward}`);
}

function assertNonEmpty(arms: readonly unknown[]): void {
  if (arms.length === 0) throw new OptimizationError("invalid_input", "at least one arm is needed");
}
