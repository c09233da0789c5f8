import { z } from "zod";
import { TriageError, TriageErrorCode } from "./errors.js";
import type { EncodedMatrix } from "./features.js";
import { type Binned, binColumns } from "./gbt-bins.js";
import { sigmoid } from "./logistic.js";
import { type Random, seededRandom, shuffledIndices } from "./random.js";

/**
 * Gradient-boosted regression trees for logistic loss, in the style of XGBoost: second-order (Newton)
 * leaf values −G/(H+λ), split gain G²/(H+λ) summed over children minus the parent, histogram splits on
 * pre-computed quantile bins, row subsampling and column subsampling per tree from a seeded PRNG.
 *
 * Histograms visit only each row's non-default bins (one-hot inputs are mostly zeros), and only for the
 * smaller child of each split: the larger child's histogram is its parent's minus the smaller one's.
 *
 * Binning lives in `gbt-bins.ts` and explanations in `tree-shap.ts`; what remains (boosting loop, tree
 * growth, split search, routing) shares one node and histogram layout and stays in one file.
 */

export interface GbtOptions {
  trees?: number;
  maxDepth?: number;
  learningRate?: number;
  /** Fraction of rows each tree sees. */
  subsample?: number;
  /** Fraction of columns each tree may split on. */
  colsample?: number;
  /** Smallest Hessian sum (≈ p(1−p)·rows) a child may have. */
  minChildWeight?: number;
  minSamplesLeaf?: number;
  /** λ on leaf values. */
  l2?: number;
  /** Smallest gain worth a split. */
  minGain?: number;
  maxBins?: number;
  seed?: number;
}

const DEFAULTS = {
  trees: 300,
  maxDepth: 4,
  learningRate: 0.05,
  subsample: 0.8,
  colsample: 0.8,
  minChildWeight: 1,
  minSamplesLeaf: 5,
  l2: 1,
  minGain: 0,
  maxBins: 64,
  seed: 1,
} satisfies Required<GbtOptions>;

/**
 * One tree as parallel arrays indexed by node, root at 0. A leaf has `feature` −1 and children −1. An
 * internal node sends x to `left` when x[feature] ≤ threshold. `cover` counts the sampled training rows that
 * reached the node; TreeSHAP weighs unknown branches by it.
 */
export const GbtTreeSchema = z.object({
  feature: z.array(z.number().int().min(-1)),
  threshold: z.array(z.number()),
  left: z.array(z.number().int().min(-1)),
  right: z.array(z.number().int().min(-1)),
  value: z.array(z.number()),
  cover: z.array(z.number().min(0)),
});

export const GbtParamsSchema = z.object({
  baseMargin: z.number(),
  trees: z.array(GbtTreeSchema),
});

export type GbtTree = z.infer<typeof GbtTreeSchema>;
export type GbtParams = z.infer<typeof GbtParamsSchema>;

/** Rounds to `digits` significant digits; the serialized model stays small and loads bit-identical. */
export function roundSignificant(value: number, digits = 6): number {
  return value === 0 ? 0 : Number(value.toPrecision(digits));
}

/** A node still growing: its sampled rows, their gradient and Hessian sums, and (when needed) histogram. */
interface OpenNode {
  id: number;
  rows: Int32Array;
  gradient: number;
  hessian: number;
  /** Interleaved (gradient, Hessian, count) per bin; null when the node will not be split further. */
  histogram: Float64Array | null;
}

interface Split {
  feature: number;
  bin: number;
  gain: number;
}

interface Gradients {
  gradient: Float64Array;
  hessian: Float64Array;
}

/** `onTree(done, total)` runs after each tree: training is synchronous, so this is how callers show progress. */
export function trainGbt(
  x: EncodedMatrix,
  y: ArrayLike<number>,
  options: GbtOptions = {},
  onTree?: (done: number, total: number) => void,
): GbtParams {
  const o = { ...DEFAULTS, ...options };
  if (y.length !== x.rows || x.rows === 0) {
    throw new TriageError(
      TriageErrorCode.InvalidInput,
      `need one label per row, got ${y.length} for ${x.rows}`,
    );
  }
  if (o.maxBins > 256 || o.maxBins < 2) {
    throw new TriageError(TriageErrorCode.InvalidInput, `maxBins must lie in [2, 256], got ${o.maxBins}`);
  }
  const { rows, cols } = x;
  const random = seededRandom(o.seed);
  const binned = binColumns(x, o.maxBins);

  let positives = 0;
  for (let r = 0; r < rows; r++) positives += y[r] === 1 ? 1 : 0;
  const prior = Math.min(1 - 1e-6, Math.max(1e-6, positives / rows));
  const baseMargin = roundSignificant(Math.log(prior / (1 - prior)));

  const margin = new Float64Array(rows).fill(baseMargin);
  const grads: Gradients = { gradient: new Float64Array(rows), hessian: new Float64Array(rows) };
  const leafOf = new Int32Array(rows);
  const sampled = new Int32Array(rows);
  const trees: GbtTree[] = [];

  for (let t = 0; t < o.trees; t++) {
    for (let r = 0; r < rows; r++) {
      const p = sigmoid(margin[r]!);
      grads.gradient[r] = p - (y[r] === 1 ? 1 : 0);
      grads.hessian[r] = Math.max(p * (1 - p), 1e-12);
    }
    let count = 0;
    for (let r = 0; r < rows; r++) if (o.subsample >= 1 || random() < o.subsample) sampled[count++] = r;
    const features = pickColumns(cols, o.colsample, random);
    const { tree, splitBins } = growTree(o, binned, features, grads, sampled.slice(0, count));
    trees.push(tree);
    // Route every row, sampled or not, by bin codes: same partition as thresholds, no float compares.
    routeByBins(tree, splitBins, binned.codes, cols, leafOf);
    for (let r = 0; r < rows; r++) margin[r]! += tree.value[leafOf[r]!]!;
    onTree?.(t + 1, o.trees);
  }
  return { baseMargin, trees };
}

function pickColumns(cols: number, fraction: number, random: Random): number[] {
  if (fraction >= 1) return Array.from({ length: cols }, (_, c) => c);
  const count = Math.max(1, Math.round(cols * fraction));
  return shuffledIndices(cols, random)
    .slice(0, count)
    .sort((a, b) => a - b);
}

function openNode(id: number, rows: Int32Array, grads: Gradients): OpenNode {
  let gradient = 0;
  let hessian = 0;
  for (let i = 0; i < rows.length; i++) {
    gradient += grads.gradient[rows[i]!]!;
    hessian += grads.hessian[rows[i]!]!;
  }
  return { id, rows, gradient, hessian, histogram: null };
}

function buildHistogram(binned: Binned, node: OpenNode, grads: Gradients): Float64Array {
  const { binOffset, defaultBin, rowStart, rowBin } = binned;
  const cols = binOffset.length - 1;
  const histogram = new Float64Array(binOffset[cols]! * 3);
  for (let i = 0; i < node.rows.length; i++) {
    const r = node.rows[i]!;
    const g = grads.gradient[r]!;
    const h = grads.hessian[r]!;
    for (let k = rowStart[r]!; k < rowStart[r + 1]!; k++) {
      const at = rowBin[k]! * 3;
      histogram[at]! += g;
      histogram[at + 1]! += h;
      histogram[at + 2]!++;
    }
  }
  for (let c = 0; c < cols; c++) {
    let g = node.gradient;
    let h = node.hessian;
    let n = node.rows.length;
    for (let b = binOffset[c]!; b < binOffset[c + 1]!; b++) {
      g -= histogram[b * 3]!;
      h -= histogram[b * 3 + 1]!;
      n -= histogram[b * 3 + 2]!;
    }
    const at = (binOffset[c]! + defaultBin[c]!) * 3;
    histogram[at]! += g;
    histogram[at + 1]! += h;
    histogram[at + 2]! += n;
  }
  return histogram;
}

function bestSplit(
  o: Required<GbtOptions>,
  binned: Binned,
  features: readonly number[],
  node: OpenNode,
): Split | undefined {
  const histogram = node.histogram;
  if (!histogram) return undefined;
  const total = node.rows.length;
  const parentScore = (node.gradient * node.gradient) / (node.hessian + o.l2);
  let best: Split | undefined;
  for (const f of features) {
    const from = binned.binOffset[f]!;
    const to = binned.binOffset[f + 1]!;
    let gLeft = 0;
    let hLeft = 0;
    let nLeft = 0;
    for (let b = from; b < to - 1; b++) {
      gLeft += histogram[b * 3]!;
      hLeft += histogram[b * 3 + 1]!;
      nLeft += histogram[b * 3 + 2]!;
      const gRight = node.gradient - gLeft;
      const hRight = node.hessian - hLeft;
      const nRight = total - nLeft;
      if (nLeft < o.minSamplesLeaf || nRight < o.minSamplesLeaf) continue;
      if (hLeft < o.minChildWeight || hRight < o.minChildWeight) continue;
      const gain = (gLeft * gLeft) / (hLeft + o.l2) + (gRight * gRight) / (hRight + o.l2) - parentScore;
      if (gain > o.minGain && (!best || gain > best.gain)) best = { feature: f, bin: b - from, gain };
    }
  }
  return best;
}

function growTree(
  o: Required<GbtOptions>,
  binned: Binned,
  features: readonly number[],
  grads: Gradients,
  sampledRows: Int32Array,
): { tree: GbtTree; splitBins: number[] } {
  const cols = binned.binOffset.length - 1;
  const tree: GbtTree = { feature: [], threshold: [], left: [], right: [], value: [], cover: [] };
  const splitBins: number[] = [];
  const addNode = () => {
    tree.feature.push(-1);
    tree.threshold.push(0);
    tree.left.push(-1);
    tree.right.push(-1);
    tree.value.push(0);
    tree.cover.push(0);
    splitBins.push(-1);
    return tree.feature.length - 1;
  };

  const root = openNode(addNode(), sampledRows, grads);
  if (o.maxDepth > 0) root.histogram = buildHistogram(binned, root, grads);
  let open: OpenNode[] = [root];
  for (let depth = 0; open.length > 0; depth++) {
    const next: OpenNode[] = [];
    for (const node of open) {
      tree.cover[node.id] = node.rows.length;
      const split = bestSplit(o, binned, features, node);
      if (!split) {
        tree.value[node.id] = roundSignificant((-node.gradient / (node.hessian + o.l2)) * o.learningRate);
        continue;
      }
      tree.feature[node.id] = split.feature;
      tree.threshold[node.id] = binned.cuts[split.feature]![split.bin]!;
      splitBins[node.id] = split.bin;
      const leftRows = new Int32Array(node.rows.length);
      const rightRows = new Int32Array(node.rows.length);
      let nLeft = 0;
      let nRight = 0;
      for (let i = 0; i < node.rows.length; i++) {
        const r = node.rows[i]!;
        if (binned.codes[r * cols + split.feature]! <= split.bin) leftRows[nLeft++] = r;
        else rightRows[nRight++] = r;
      }
      // Children get consecutive ids, so a reader could rely on right = left + 1.
      const left = openNode(addNode(), leftRows.subarray(0, nLeft), grads);
      const right = openNode(addNode(), rightRows.subarray(0, nRight), grads);
      tree.left[node.id] = left.id;
      tree.right[node.id] = right.id;
      if (depth + 1 < o.maxDepth) {
        // Histogram subtraction: build the smaller child's, the larger one is the parent's minus it.
        const [small, large] = nLeft <= nRight ? [left, right] : [right, left];
        small.histogram = buildHistogram(binned, small, grads);
        const parent = node.histogram!;
        const rest = new Float64Array(parent.length);
        for (let k = 0; k < parent.length; k++) rest[k] = parent[k]! - small.histogram[k]!;
        large.histogram = rest;
      }
      next.push(left, right);
    }
    for (const node of open) node.histogram = null;
    open = next;
  }
  return { tree, splitBins };
}

function routeByBins(
  tree: GbtTree,
  splitBins: readonly number[],
  codes: Uint8Array,
  cols: number,
  out: Int32Array,
): void {
  for (let r = 0; r < out.length; r++) {
    let node = 0;
    while (tree.feature[node]! >= 0) {
      node =
        codes[r * cols + tree.feature[node]!]! <= splitBins[node]! ? tree.left[node]! : tree.right[node]!;
    }
    out[r] = node;
  }
}

export function treeLeaf(tree: GbtTree, x: ArrayLike<number>): number {
  let node = 0;
  while (tree.feature[node]! >= 0) {
    node = x[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
  }
  return node;
}

/** The log-odds for one encoded vector. */
export function gbtMargin(params: GbtParams, x: ArrayLike<number>): number {
  let z = params.baseMargin;
  for (const tree of params.trees) z += tree.value[treeLeaf(tree, x)]!;
  return z;
}
