import { z } from "zod";
import { TriageError, TriageErrorCode } from "./errors.js";

/**
 * Binary-classification metrics, pure and dependency-free. `labels` are 0/1; `scores` are any real numbers
 * (only their order matters for AUC, PR-AUC, lift and the ROC curve) or probabilities (Brier, log loss,
 * calibration). Ties are handled explicitly everywhere because trees emit many equal scores.
 */

export const CalibrationBinSchema = z.object({
  lower: z.number(),
  upper: z.number(),
  count: z.number().int().min(0),
  meanPredicted: z.number(),
  observedRate: z.number(),
});

export type CalibrationBin = z.infer<typeof CalibrationBinSchema>;

export interface RocPoint {
  /** Scores ≥ threshold are called positive; null on the first point, which lies above every score. */
  threshold: number | null;
  fpr: number;
  tpr: number;
}

function checkPair(scores: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (scores.length !== labels.length) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `scores (${scores.length}) and labels (${labels.length}) differ in length`,
    );
  }
  if (scores.length === 0) throw new TriageError(TriageErrorCode.InvalidInput, "no scores to evaluate");
}

function classCounts(labels: ArrayLike<number>): { positives: number; negatives: number } {
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  return { positives, negatives: labels.length - positives };
}

function requireBothClasses(
  labels: ArrayLike<number>,
  metric: string,
): { positives: number; negatives: number } {
  const counts = classCounts(labels);
  if (counts.positives === 0 || counts.negatives === 0) {
    throw new TriageError(TriageErrorCode.InvalidInput, `${metric} needs both classes among the labels`);
  }
  return counts;
}

/** Indices sorted by descending score; the order inside a tie does not matter to any caller. */
function byScoreDescending(scores: ArrayLike<number>): number[] {
  return Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
}

/**
 * Walks the scores from highest to lowest, one group of tied scores at a time, and reports the cumulative
 * true and false positives after each group.
 */
function forEachThreshold(
  scores: ArrayLike<number>,
  labels: ArrayLike<number>,
  visit: (threshold: number, tp: number, fp: number) => void,
): void {
  const order = byScoreDescending(scores);
  let tp = 0;
  let fp = 0;
  for (let i = 0; i < order.length; ) {
    const threshold = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!] === threshold) {
      if (labels[order[i]!] === 1) tp++;
      else fp++;
      i++;
    }
    visit(threshold, tp, fp);
  }
}

/**
 * Area under the ROC curve: the probability that a random positive outscores a random negative, ties
 * counting one half (the Mann–Whitney U statistic from average ranks).
 */
export function rocAuc(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(scores, labels);
  const { positives, negatives } = requireBothClasses(labels, "ROC AUC");
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[a]! - scores[b]!);
  let positiveRankSum = 0;
  for (let i = 0; i < order.length; ) {
    let j = i;
    while (j < order.length && scores[order[j]!] === scores[order[i]!]) j++;
    const averageRank = (i + 1 + j) / 2;
    for (let k = i; k < j; k++) if (labels[order[k]!] === 1) positiveRankSum += averageRank;
    i = j;
  }
  return (positiveRankSum - (positives * (positives + 1)) / 2) / (positives * negatives);
}

/**
 * Average precision, the step-wise area under the precision–recall curve: Σ (Rₖ − Rₖ₋₁)·Pₖ over distinct
 * thresholds, as scikit-learn's `average_precision_score` computes it (no interpolation).
 */
export function averagePrecision(scores: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(scores, labels);
  const { positives } = requireBothClasses(labels, "average precision");
  let area = 0;
  let previousRecall = 0;
  forEachThreshold(scores, labels, (_threshold, tp, fp) => {
    const recall = tp / positives;
    area += (recall - previousRecall) * (tp / (tp + fp));
    previousRecall = recall;
  });
  return area;
}

/** Mean squared error of the probabilities. */
export function brierScore(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) sum += (probabilities[i]! - labels[i]!) ** 2;
  return sum / labels.length;
}

/** Probabilities are clipped to [ε, 1−ε] so a single confident mistake costs a lot but not Infinity. */
const LOG_LOSS_EPSILON = 1e-15;

/** Mean negative log-likelihood (natural log). */
export function logLoss(probabilities: ArrayLike<number>, labels: ArrayLike<number>): number {
  checkPair(probabilities, labels);
  let sum = 0;
  for (let i = 0; i < labels.length; i++) {
    const p = Math.min(1 - LOG_LOSS_EPSILON, Math.max(LOG_LOSS_EPSILON, probabilities[i]!));
    sum -= labels[i] === 1 ? Math.log(p) : Math.log(1 - p);
  }
  return sum / labels.length;
}

/**
 * Reliability diagram data: `bins` equal-width bins over [0, 1] (a probability of exactly 1 falls in the
 * last bin). Empty bins are left out so every number is finite and the result serializes to JSON.
 */
export function calibrationBins(
  probabilities: ArrayLike<number>,
  labels: ArrayLike<number>,
  bins = 10,
): CalibrationBin[] {
  checkPair(probabilities, labels);
  const count = new Array<number>(bins).fill(0);
  const predicted = new Array<number>(bins).fill(0);
  const observed = new Array<number>(bins).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const p = probabilities[i]!;
    const bin = Math.min(bins - 1, Math.max(0, Math.floor(p * bins)));
    count[bin]!++;
    predicted[bin]! += p;
    observed[bin]! += labels[i]!;
  }
  const result: CalibrationBin[] = [];
  for (let b = 0; b < bins; b++) {
    const n = count[b]!;
    if (n === 0) continue;
    result.push({
      lower: b / bins,
      upper: (b + 1) / bins,
      count: n,
      meanPredicted: predicted[b]! / n,
      observedRate: observed[b]! / n,
    });
  }
  return result;
}

/** Count-weighted mean gap between predicted and observed rates across calibration bins. */
export function expectedCalibrationError(bins: readonly CalibrationBin[]): number {
  let total = 0;
  let gap = 0;
  for (const bin of bins) {
    total += bin.count;
    gap += bin.count * Math.abs(bin.meanPredicted - bin.observedRate);
  }
  return total === 0 ? 0 : gap / total;
}

/**
 * Positive rate among the top `fraction` of scores divided by the overall positive rate. When the cut
 * falls inside a group of tied scores, that group counts pro rata, so the answer does not depend on how
 * a sort happens to order equal scores.
 */
export function liftAtTop(scores: ArrayLike<number>, labels: ArrayLike<number>, fraction = 0.1): number {
  checkPair(scores, labels);
  const { positives } = requireBothClasses(labels, "lift");
  if (!(fraction > 0 && fraction <= 1)) {
    throw new TriageError(TriageErrorCode.InvalidInput, `lift fraction must lie in (0, 1], got ${fraction}`);
  }
  const budget = fraction * labels.length;
  let taken = 0;
  let positivesTaken = 0;
  let previousTp = 0;
  let previousCount = 0;
  forEachThreshold(scores, labels, (_threshold, tp, fp) => {
    if (taken >= budget) return;
    const groupSize = tp + fp - previousCount;
    const groupPositives = tp - previousTp;
    const share = Math.min(1, (budget - taken) / groupSize);
    taken += share * groupSize;
    positivesTaken += share * groupPositives;
    previousTp = tp;
    previousCount = tp + fp;
  });
  return positivesTaken / budget / (positives / labels.length);
}

/** ROC curve points from (0, 0) to (1, 1), one per distinct score. */
export function rocCurve(scores: ArrayLike<number>, labels: ArrayLike<number>): RocPoint[] {
  checkPair(scores, labels);
  const { positives, negatives } = requireBothClasses(labels, "ROC curve");
  const points: RocPoint[] = [{ threshold: null, fpr: 0, tpr: 0 }];
  forEachThreshold(scores, labels, (threshold, tp, fp) => {
    points.push({ threshold, fpr: fp / negatives, tpr: tp / positives });
  });
  return points;
}
