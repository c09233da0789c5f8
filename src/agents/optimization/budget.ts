/**
 * Splits a budget across channels by probability matching (Thompson sampling in batch form): each
 * channel's share follows the posterior probability that it yields the most conversions per unit of
 * money, within a floor that keeps every channel learning and per-channel caps. Amounts are whole cents
 * and sum exactly to the total.
 */
import { probabilitiesOfBest } from "./bandit.js";
import { OptimizationError } from "./errors.js";
import { mulberry32 } from "./random.js";
import { BudgetOptions, ChannelPosterior, parseInput } from "./schema.js";

export interface ChannelAllocation {
  readonly id: string;
  /** Currency units, a whole number of cents. */
  readonly amount: number;
  readonly share: number;
  /** Posterior probability that this channel has the highest conversions per unit of money. */
  readonly probabilityBest: number;
  /** amount / costPerImpression × posterior mean rate. */
  readonly expectedConversions: number;
  /** costPerImpression / posterior mean rate. */
  readonly expectedCostPerConversion: number;
}

export interface BudgetAllocation {
  readonly total: number;
  readonly allocations: ChannelAllocation[];
}

/**
 * Allocates `options.total` across `channels`. Each channel gets its floor (minShare × total, or its
 * cap if lower), and the amounts are proportional to P(best) wherever neither floor nor cap binds.
 * Throws `infeasible` when the caps cannot absorb the total or the floors exceed it.
 */
export function allocateBudget(
  channels: readonly ChannelPosterior[],
  options: BudgetOptions,
): BudgetAllocation {
  const list = parseInput(ChannelPosterior.array().min(1), channels, "channels");
  const o = parseInput(BudgetOptions, options, "budget options");
  if (new Set(list.map((c) => c.id)).size !== list.length) {
    throw new OptimizationError("invalid_input", "channel ids must be unique");
  }
  const totalCents = Math.round(o.total * 100);
  if (Math.abs(o.total * 100 - totalCents) > 1e-6) {
    throw new OptimizationError("invalid_input", `total must be a whole number of cents, got ${o.total}`);
  }
  if (o.minShare * list.length > 1 + 1e-12) {
    throw new OptimizationError(
      "infeasible",
      `a minimum share of ${o.minShare} for ${list.length} channels exceeds the whole budget`,
    );
  }
  // Caps are rounded down to whole cents so that rounding the allocation up can never exceed them.
  const caps = list.map((c) =>
    c.maxAmount === undefined ? totalCents : Math.floor(c.maxAmount * 100 + 1e-6),
  );
  const capacity = caps.reduce((s, c) => s + c, 0);
  if (capacity < totalCents) {
    throw new OptimizationError(
      "infeasible",
      `channel caps add up to ${capacity / 100}, below the budget of ${o.total}`,
    );
  }

  // Value of a conversion-rate draw is conversions per unit of money, so a cheap channel with a lower
  // rate can still be the best place for the next dollar.
  const probabilityBest = probabilitiesOfBest(
    list,
    o.draws,
    mulberry32(o.seed),
    (channel, rate) => rate / channel.costPerImpression,
  );
  const floors = caps.map((cap) => Math.min(cap, o.minShare * totalCents));
  const cents = largestRemainderRound(waterFill(probabilityBest, floors, caps, totalCents), totalCents, caps);

  return {
    total: totalCents / 100,
    allocations: list.map((c, i) => {
      const mean = c.alpha / (c.alpha + c.beta);
      const amount = cents[i]! / 100;
      return {
        id: c.id,
        amount,
        share: totalCents === 0 ? 0 : cents[i]! / totalCents,
        probabilityBest: probabilityBest[i]!,
        expectedConversions: (amount / c.costPerImpression) * mean,
        expectedCostPerConversion: c.costPerImpression / mean,
      };
    }),
  };
}

/**
 * Amounts x_i = clamp(λ·w_i, lo_i, hi_i) with Σ x_i = total: the allocation proportional to the weights
 * wherever no bound binds (a projection onto the box with a sum constraint; λ by bisection, as the sum
 * is continuous and non-decreasing in λ). When the positive-weight channels are all capped, the rest is
 * spread evenly over the others, still within their caps. Requires Σ lo ≤ total ≤ Σ hi.
 */
export function waterFill(
  weights: readonly number[],
  lows: readonly number[],
  highs: readonly number[],
  total: number,
): number[] {
  const fill = (lambda: number, w: readonly number[]) =>
    w.map((wi, i) => Math.min(highs[i]!, Math.max(lows[i]!, lambda * wi)));
  const sum = (xs: readonly number[]) => xs.reduce((s, x) => s + x, 0);
  const positive = weights.map((w) => Math.max(w, 0));
  const reachable = sum(positive.map((w, i) => (w > 0 ? highs[i]! : lows[i]!)));
  if (reachable < total) {
    // Every channel with weight is capped: give them their caps, spread the remainder over the rest.
    const rest = positive.map((w) => (w > 0 ? 0 : 1));
    if (sum(rest) === 0) return highs.slice();
    const restLows = lows.map((lo, i) => (positive[i]! > 0 ? highs[i]! : lo));
    return waterFill(rest, restLows, highs, total);
  }
  let lo = 0;
  let hi = 1;
  while (sum(fill(hi, positive)) < total) hi *= 2;
  for (let i = 0; i < 200 && hi - lo > 1e-12 * hi; i++) {
    const mid = (lo + hi) / 2;
    if (sum(fill(mid, positive)) < total) lo = mid;
    else hi = mid;
  }
  return fill(hi, positive);
}

/**
 * Rounds non-negative `amounts` to integers summing exactly to `total` by the largest-remainder
 * (Hamilton) method: floor everything, then hand the missing units to the largest fractional parts,
 * ties to the lower index, skipping any entry already at its cap.
 */
export function largestRemainderRound(
  amounts: readonly number[],
  total: number,
  caps?: readonly number[],
): number[] {
  if (!(Number.isInteger(total) && total >= 0)) {
    throw new OptimizationError("invalid_input", `total must be a non-negative integer, got ${total}`);
  }
  const floors = amounts.map((a) => Math.floor(a + 1e-9));
  let missing = total - floors.reduce((s, x) => s + x, 0);
  const order = amounts
    .map((a, i) => ({ i, remainder: a - floors[i]! }))
    .sort((x, y) => y.remainder - x.remainder || x.i - y.i);
  while (missing > 0) {
    let given = false;
    for (const { i } of order) {
      if (missing === 0) break;
      if (caps !== undefined && floors[i]! >= caps[i]!) continue;
      floors[i]! += 1;
      missing -= 1;
      given = true;
    }
    if (!given) throw new OptimizationError("infeasible", "the caps leave no room for the rounded total");
  }
  // Only reachable when the inputs overshoot the total by float error: take back from the smallest parts.
  for (let k = order.length - 1; missing < 0; k = k === 0 ? order.length - 1 : k - 1) {
    const { i } = order[k]!;
    if (floors[i]! > 0) {
      floors[i]! -= 1;
      missing += 1;
    }
  }
  return floors;
}
