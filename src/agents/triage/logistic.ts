import { z } from "zod";
import { TriageError, TriageErrorCode } from "./errors.js";
import type { EncodedMatrix } from "./features.js";

/**
 * L2-regularised logistic regression fitted by Newton's method (IRLS). Deterministic: no random
 * initialisation, no stochastic steps, the same input gives bit-identical weights.
 *
 * The penalty is (λ/2)·Σ (sⱼ·wⱼ)², sⱼ the standard deviation of slot j: the same as penalising the weights
 * of standardised inputs (the unpenalised intercept absorbs the centring), without densifying one-hot
 * columns. That keeps every Newton step sparse: O(rows · nonzeros²) per iteration.
 */

export const LogisticParamsSchema = z.object({
  intercept: z.number(),
  weights: z.array(z.number()),
  /** Training means per slot: explanations are relative to the average training lead. */
  means: z.array(z.number()),
});

export type LogisticParams = z.infer<typeof LogisticParamsSchema>;

export interface LogisticOptions {
  /** λ; larger shrinks harder. */
  l2?: number;
  maxIterations?: number;
  /** Stop when no parameter moves more than this in one step. */
  tolerance?: number;
}

const DEFAULTS = { l2: 1, maxIterations: 50, tolerance: 1e-8 } satisfies Required<LogisticOptions>;

/** The logistic function, written to avoid overflow for large |z|. */
export function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log(1 + eᶻ) without overflow. */
function softplus(z: number): number {
  return z > 0 ? z + Math.log1p(Math.exp(-z)) : Math.log1p(Math.exp(z));
}

interface SparseRows {
  start: Int32Array;
  index: Int32Array;
  value: Float64Array;
}

/** CSR form with the intercept as slot 0 of every row, slot j+1 for input slot j. */
function toSparseWithIntercept(x: EncodedMatrix): SparseRows {
  let nonzeros = 0;
  for (let i = 0; i < x.data.length; i++) if (x.data[i] !== 0) nonzeros++;
  const start = new Int32Array(x.rows + 1);
  const index = new Int32Array(nonzeros + x.rows);
  const value = new Float64Array(nonzeros + x.rows);
  let k = 0;
  for (let r = 0; r < x.rows; r++) {
    start[r] = k;
    index[k] = 0;
    value[k++] = 1;
    for (let c = 0; c < x.cols; c++) {
      const v = x.data[r * x.cols + c]!;
      if (v !== 0) {
        index[k] = c + 1;
        value[k++] = v;
      }
    }
  }
  start[x.rows] = k;
  return { start, index, value };
}

/** Solves A·x = b for symmetric positive-definite A (row-major, n×n) in place of a copy; null if not SPD. */
export function choleskySolve(a: Float64Array, b: Float64Array, n: number): Float64Array | null {
  const l = new Float64Array(n * n);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j <= i; j++) {
      let sum = a[i * n + j]!;
      for (let k = 0; k < j; k++) sum -= l[i * n + k]! * l[j * n + k]!;
      if (i === j) {
        if (!(sum > 0)) return null;
        l[i * n + i] = Math.sqrt(sum);
      } else {
        l[i * n + j] = sum / l[j * n + j]!;
      }
    }
  }
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let sum = b[i]!;
    for (let k = 0; k < i; k++) sum -= l[i * n + k]! * y[k]!;
    y[i] = sum / l[i * n + i]!;
  }
  const x = new Float64Array(n);
  for (let i = n - 1; i >= 0; i--) {
    let sum = y[i]!;
    for (let k = i + 1; k < n; k++) sum -= l[k * n + i]! * x[k]!;
    x[i] = sum / l[i * n + i]!;
  }
  return x;
}

export function trainLogistic(
  x: EncodedMatrix,
  y: ArrayLike<number>,
  options: LogisticOptions = {},
): LogisticParams {
  const { l2, maxIterations, tolerance } = { ...DEFAULTS, ...options };
  if (y.length !== x.rows || x.rows === 0) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `need one label per row, got ${y.length} for ${x.rows}`,
    );
  }
  const n = x.rows;
  const dim = x.cols + 1;
  const rows = toSparseWithIntercept(x);

  const means = new Array<number>(x.cols).fill(0);
  const penalty = new Float64Array(dim);
  for (let c = 0; c < x.cols; c++) {
    let sum = 0;
    let sumSquares = 0;
    for (let r = 0; r < n; r++) {
      const v = x.data[r * x.cols + c]!;
      sum += v;
      sumSquares += v * v;
    }
    const mean = sum / n;
    means[c] = mean;
    const variance = Math.max(0, sumSquares / n - mean * mean);
    penalty[c + 1] = l2 * (variance > 1e-12 ? variance : 1);
  }
  // A whisker of ridge on the intercept keeps the Hessian positive-definite when a class is absent.
  penalty[0] = 1e-10;

  const theta = new Float64Array(dim);
  const margins = new Float64Array(n);
  const objective = (params: Float64Array): number => {
    let sum = 0;
    for (let r = 0; r < n; r++) {
      let z = 0;
      for (let k = rows.start[r]!; k < rows.start[r + 1]!; k++) z += params[rows.index[k]!]! * rows.value[k]!;
      margins[r] = z;
      sum += softplus(z) - (y[r] === 1 ? z : 0);
    }
    for (let j = 0; j < dim; j++) sum += 0.5 * penalty[j]! * params[j]! ** 2;
    return sum;
  };

  let current = objective(theta);
  for (let iteration = 0; iteration < maxIterations; iteration++) {
    const gradient = new Float64Array(dim);
    const hessian = new Float64Array(dim * dim);
    for (let r = 0; r < n; r++) {
      const p = sigmoid(margins[r]!);
      const residual = p - (y[r] === 1 ? 1 : 0);
      const weight = p * (1 - p);
      const from = rows.start[r]!;
      const to = rows.start[r + 1]!;
      for (let a = from; a < to; a++) {
        const ia = rows.index[a]!;
        const va = rows.value[a]!;
        gradient[ia]! += residual * va;
        const wa = weight * va;
        // Indices rise within a row, so this fills the lower triangle only.
        for (let b = from; b <= a; b++) hessian[ia * dim + rows.index[b]!]! += wa * rows.value[b]!;
      }
    }
    for (let j = 0; j < dim; j++) {
      gradient[j]! += penalty[j]! * theta[j]!;
      hessian[j * dim + j]! += penalty[j]!;
      for (let k = 0; k < j; k++) hessian[k * dim + j] = hessian[j * dim + k]!;
    }
    const step = solveWithJitter(hessian, gradient, dim);
    let scale = 1;
    let accepted = false;
    const candidate = new Float64Array(dim);
    for (let halving = 0; halving < 30; halving++) {
      for (let j = 0; j < dim; j++) candidate[j] = theta[j]! - scale * step[j]!;
      const value = objective(candidate);
      if (value <= current) {
        current = value;
        accepted = true;
        break;
      }
      scale /= 2;
    }
    if (!accepted) {
      objective(theta);
      break;
    }
    let largestMove = 0;
    for (let j = 0; j < dim; j++) largestMove = Math.max(largestMove, Math.abs(candidate[j]! - theta[j]!));
    theta.set(candidate);
    if (largestMove < tolerance) break;
  }

  return { intercept: theta[0]!, weights: Array.from(theta.subarray(1)), means };
}

function solveWithJitter(hessian: Float64Array, gradient: Float64Array, dim: number): Float64Array {
  for (let jitter = 0; jitter <= 1e-2; jitter = jitter === 0 ? 1e-10 : jitter * 100) {
    const a = Float64Array.from(hessian);
    for (let j = 0; j < dim; j++) a[j * dim + j]! += jitter;
    const step = choleskySolve(a, gradient, dim);
    if (step) return step;
  }
  throw new TriageError(
    TriageErrorCode.InvalidInput,
    "logistic regression: the Hessian is not positive-definite",
  );
}

/** The log-odds for one encoded vector. */
export function logisticMargin(params: LogisticParams, x: ArrayLike<number>): number {
  let z = params.intercept;
  for (let j = 0; j < params.weights.length; j++) z += params.weights[j]! * x[j]!;
  return z;
}

/**
 * Per-slot contributions wⱼ·(xⱼ − meanⱼ): they sum to the margin minus the margin of the mean vector,
 * so "+0.8" reads as "0.8 log-odds above an average training lead".
 */
export function logisticContributions(params: LogisticParams, x: ArrayLike<number>): Float64Array {
  const out = new Float64Array(params.weights.length);
  for (let j = 0; j < params.weights.length; j++) out[j] = params.weights[j]! * (x[j]! - params.means[j]!);
  return out;
}

/** The margin an input equal to the training means would get: the baseline of the contributions. */
export function logisticBaseline(params: LogisticParams): number {
  return logisticMargin(params, params.means);
}
