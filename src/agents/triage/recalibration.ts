import { z } from "zod";

/**
 * Outcome recalibration: the learning loop's hold on the triage score. The scoring model was calibrated
 * on the data it was trained on; a tenant's own leads convert at their own rates. Recorded outcomes
 * (`outcomes.record`) label the tenant's leads, and each new score is pulled toward the observed rate of
 * leads the model scored alike:
 *
 *     p' = (m · p + S(x)) / (m + N(x)),    x = logit(p)
 *
 * where N(x) = Σᵢ K(x − xᵢ) counts the labelled leads near x (a Gaussian kernel of width h in log-odds)
 * and S(x) the converted among them. It is kernel regression with the model's own probability as a prior
 * worth m leads: with no outcomes nearby the model's number stands exactly; with many, the tenant's rate
 * does. It is local on purpose. A global map (Platt-style σ(a·x + b)) fitted to outcomes that all come from
 * one kind of lead bends every other lead's score too; here outcomes of low-scored leads move low scores
 * only. Changing which leads rank high on their fields is retraining's job (`triage train --from-db`).
 *
 * Stored as the kernel sums on a fixed grid of log-odds (`GRID`), interpolated linearly between points:
 * a few hundred numbers however many outcomes there are.
 */

export const Recalibration = z.object({
  method: z.literal("kernel"),
  /** Kernel width in log-odds. */
  bandwidth: z.number().positive(),
  /** m: how many outcomes the model's own probability is worth. */
  priorWeight: z.number().positive(),
  /** N(x) on the grid: labelled leads near each grid point. */
  weights: z.array(z.number().nonnegative()),
  /** S(x) on the grid: converted leads near each grid point. */
  conversions: z.array(z.number().nonnegative()),
  /** Leads with a known result (converted or not) it was fitted on. */
  labelled: z.number().int().nonnegative(),
  converted: z.number().int().nonnegative(),
  /** Which scoring model's numbers it maps (`kind@version`): another model's map does not apply. */
  scoringModel: z.string(),
  fittedAt: z.string(),
});
export type Recalibration = z.infer<typeof Recalibration>;
export type RecalibrationFit = Pick<
  Recalibration,
  "method" | "bandwidth" | "priorWeight" | "weights" | "conversions"
>;

export interface RecalibrationFitOptions {
  /** Kernel width in log-odds (default 0.5: leads within about ±1 log-odds count). */
  bandwidth?: number;
  /** How many outcomes the model's probability is worth (default 20). */
  priorWeight?: number;
}

/**
 * Chosen on the X Education data (evals/suites/triage-recalibration.ts, five seeds): against a prior of 10,
 * 20 gives up a little on tenants the model misjudges (log loss after 200 outcomes ×0.735 instead of ×0.71,
 * and slower below 50) for half the harm on a tenant it already judges well (+0.8% instead of +1.2–1.7%).
 * Wider kernels (0.75, 1) did no better there and bias a calibrated model's extremes toward the middle.
 * Smoothing the model's error instead of the outcomes (p + (S − P)/(m + N)) was tried too: no better on
 * the control tenant, worse on the shifted ones.
 */
export const DEFAULT_BANDWIDTH = 0.5;
export const DEFAULT_PRIOR_WEIGHT = 20;
/** Grid of log-odds the sums are kept on: −9 … 9 (probabilities 0.0001 … 0.9999), every 0.25. */
export const GRID = { start: -9, step: 0.25, points: 73 } as const;
/** Probabilities are clamped this far from 0 and 1 before taking log-odds. */
const EPSILON = 1e-4;

export const logit = (p: number): number => {
  const q = Math.min(1 - EPSILON, Math.max(EPSILON, p));
  return Math.log(q / (1 - q));
};

/** The kernel sums of labelled leads on the grid. Throws on mismatched or empty inputs, or bad options. */
export function fitRecalibration(
  probabilities: readonly number[],
  labels: readonly number[],
  options: RecalibrationFitOptions = {},
): RecalibrationFit {
  if (probabilities.length !== labels.length || probabilities.length === 0) {
    throw new RangeError("recalibration needs one label per probability, and at least one");
  }
  const bandwidth = options.bandwidth ?? DEFAULT_BANDWIDTH;
  const priorWeight = options.priorWeight ?? DEFAULT_PRIOR_WEIGHT;
  if (!(bandwidth > 0)) throw new RangeError(`bandwidth must be > 0, got ${bandwidth}`);
  if (!(priorWeight > 0)) throw new RangeError(`priorWeight must be > 0, got ${priorWeight}`);
  const weights = new Array<number>(GRID.points).fill(0);
  const conversions = new Array<number>(GRID.points).fill(0);
  // Beyond 4 bandwidths a Gaussian kernel is below 0.0004: not worth the loop.
  const reach = Math.ceil((4 * bandwidth) / GRID.step);
  for (let i = 0; i < probabilities.length; i++) {
    const x = logit(probabilities[i]!);
    const centre = Math.round((x - GRID.start) / GRID.step);
    for (let j = Math.max(0, centre - reach); j <= Math.min(GRID.points - 1, centre + reach); j++) {
      const d = (GRID.start + j * GRID.step - x) / bandwidth;
      const k = Math.exp(-0.5 * d * d);
      weights[j]! += k;
      if (labels[i] === 1) conversions[j]! += k;
    }
  }
  return { method: "kernel", bandwidth, priorWeight, weights, conversions };
}

export interface Recalibrated {
  probability: number;
  /** N(x): how many labelled leads (kernel-weighted) the model scored about as it scored this one. */
  nearby: number;
  /** S(x): how many of those converted. */
  nearbyConverted: number;
}

/** The recalibrated probability for the model's probability `p`. */
export function recalibrate(fit: RecalibrationFit, p: number): Recalibrated {
  const position = Math.min(GRID.points - 1, Math.max(0, (logit(p) - GRID.start) / GRID.step));
  const lo = Math.floor(position);
  const hi = Math.min(GRID.points - 1, lo + 1);
  const t = position - lo;
  const at = (values: readonly number[]) => (values[lo] ?? 0) * (1 - t) + (values[hi] ?? 0) * t;
  const nearby = at(fit.weights);
  const nearbyConverted = at(fit.conversions);
  return {
    probability: (fit.priorWeight * p + nearbyConverted) / (fit.priorWeight + nearby),
    nearby,
    nearbyConverted,
  };
}

/** One line a person can read: what the outcomes did to this lead's score. */
export function describeRecalibration(before: number, after: Recalibrated): string {
  const pct = (v: number) => `${(v * 100).toFixed(1)}%`;
  return `score recalibrated by recorded outcomes: leads the model scored alike converted ${after.nearbyConverted.toFixed(1)} of ${after.nearby.toFixed(1)} times: model ${pct(before)} → ${pct(after.probability)}`;
}
