import { z } from "zod";
import { TriageError, TriageErrorCode } from "./errors.js";
import { sigmoid } from "./logistic.js";

/**
 * Maps a model's raw log-odds to probabilities that match observed rates. Fit on rows the model did not
 * train on: a model's own training rows look easier than new leads, and calibrating on them keeps the
 * over-confidence it was meant to remove.
 */

export const CalibrationSchema = z.discriminatedUnion("method", [
  z.object({ method: z.literal("none") }),
  /** p = σ(a·margin + b). */
  z.object({ method: z.literal("platt"), a: z.number(), b: z.number() }),
  /** Piecewise-linear through (x[i], y[i]), x ascending margins; flat beyond the ends. */
  z.object({ method: z.literal("isotonic"), x: z.array(z.number()), y: z.array(z.number()) }),
]);

export type Calibration = z.infer<typeof CalibrationSchema>;
export type CalibrationMethod = Calibration["method"];

function checkInputs(margins: ArrayLike<number>, labels: ArrayLike<number>): void {
  if (margins.length !== labels.length || margins.length === 0) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      "calibration needs one label per margin, and at least one",
    );
  }
}

/**
 * Platt scaling by Newton's method on the two parameters, with Platt's smoothed targets
 * (N₊+1)/(N₊+2) and 1/(N₋+2) in place of 1 and 0, which keeps a and b finite on separable data.
 * https://www.csie.ntu.edu.tw/~cjlin/papers/plattprob.pdf
 */
export function fitPlatt(margins: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  checkInputs(margins, labels);
  let positives = 0;
  for (let i = 0; i < labels.length; i++) positives += labels[i] === 1 ? 1 : 0;
  const negatives = labels.length - positives;
  const high = (positives + 1) / (positives + 2);
  const low = 1 / (negatives + 2);
  let a = 1;
  let b = 0;
  const loss = (pa: number, pb: number) => {
    let sum = 0;
    for (let i = 0; i < margins.length; i++) {
      const z = pa * margins[i]! + pb;
      const t = labels[i] === 1 ? high : low;
      // Cross-entropy against a soft target, written with softplus to stay finite.
      sum += (z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z))) - t * z;
    }
    return sum;
  };
  let current = loss(a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = 0;
    let gb = 0;
    let haa = 1e-12;
    let hab = 0;
    let hbb = 1e-12;
    for (let i = 0; i < margins.length; i++) {
      const s = margins[i]!;
      const p = sigmoid(a * s + b);
      const r = p - (labels[i] === 1 ? high : low);
      const w = p * (1 - p);
      ga += r * s;
      gb += r;
      haa += w * s * s;
      hab += w * s;
      hbb += w;
    }
    const det = haa * hbb - hab * hab;
    if (!(det > 0)) break;
    const da = (hbb * ga - hab * gb) / det;
    const db = (haa * gb - hab * ga) / det;
    let scale = 1;
    let moved = false;
    for (let halving = 0; halving < 30; halving++) {
      const value = loss(a - scale * da, b - scale * db);
      if (value <= current) {
        a -= scale * da;
        b -= scale * db;
        current = value;
        moved = true;
        break;
      }
      scale /= 2;
    }
    if (!moved || Math.max(Math.abs(scale * da), Math.abs(scale * db)) < 1e-10) break;
  }
  return { method: "platt", a, b };
}

/** Isotonic outputs are kept this far from 0 and 1: a lead is never certain, and log loss stays finite. */
const ISOTONIC_FLOOR = 1e-3;

/**
 * Isotonic regression by pool-adjacent-violators: the best non-decreasing step function of the margin,
 * then interpolated linearly between the ends of each pooled block (as scikit-learn does).
 */
export function fitIsotonic(margins: ArrayLike<number>, labels: ArrayLike<number>): Calibration {
  checkInputs(margins, labels);
  const order = Array.from({ length: margins.length }, (_, i) => i).sort((p, q) => margins[p]! - margins[q]!);
  const blocks: { low: number; high: number; sum: number; count: number }[] = [];
  for (let k = 0; k < order.length; ) {
    // Equal margins must get one value, so ties start out pooled.
    const low = margins[order[k]!]!;
    let sum = 0;
    let count = 0;
    while (k < order.length && margins[order[k]!] === low) {
      sum += labels[order[k]!] === 1 ? 1 : 0;
      count++;
      k++;
    }
    blocks.push({ low, high: low, sum, count });
    while (blocks.length > 1) {
      const last = blocks[blocks.length - 1]!;
      const previous = blocks[blocks.length - 2]!;
      if (previous.sum / previous.count < last.sum / last.count) break;
      blocks.pop();
      previous.high = last.high;
      previous.sum += last.sum;
      previous.count += last.count;
    }
  }
  const x: number[] = [];
  const y: number[] = [];
  for (const block of blocks) {
    const value = Math.min(1 - ISOTONIC_FLOOR, Math.max(ISOTONIC_FLOOR, block.sum / block.count));
    x.push(block.low);
    y.push(value);
    if (block.high !== block.low) {
      x.push(block.high);
      y.push(value);
    }
  }
  return { method: "isotonic", x, y };
}

export function fitCalibration(
  method: CalibrationMethod,
  margins: ArrayLike<number>,
  labels: ArrayLike<number>,
): Calibration {
  if (method === "platt") return fitPlatt(margins, labels);
  if (method === "isotonic") return fitIsotonic(margins, labels);
  return { method: "none" };
}

/** The calibrated probability for a raw margin. */
export function calibrate(calibration: Calibration, margin: number): number {
  switch (calibration.method) {
    case "none":
      return sigmoid(margin);
    case "platt":
      return sigmoid(calibration.a * margin + calibration.b);
    case "isotonic": {
      const { x, y } = calibration;
      if (margin <= x[0]!) return y[0]!;
      if (margin >= x[x.length - 1]!) return y[y.length - 1]!;
      let lo = 0;
      let hi = x.length - 1;
      while (hi - lo > 1) {
        const mid = (lo + hi) >> 1;
        if (x[mid]! <= margin) lo = mid;
        else hi = mid;
      }
      const span = x[hi]! - x[lo]!;
      return span > 0 ? y[lo]! + ((y[hi]! - y[lo]!) * (margin - x[lo]!)) / span : y[hi]!;
    }
  }
}
