import type { EncodedMatrix } from "./features.js";

/**
 * Quantile binning for the boosted trees: each column's values are cut into at most `maxBins` bins once,
 * before boosting, so that finding a split is a scan over a small histogram instead of a sort.
 */

/** A short decimal in [low, high): thresholds read well in the JSON and still split the data exactly. */
function cutBetween(low: number, high: number): number {
  for (let digits = 1; digits <= 17; digits++) {
    const cut = Number(((low + high) / 2).toPrecision(digits));
    if (low <= cut && cut < high) return cut;
  }
  return low;
}

export interface Binned {
  cuts: number[][];
  /** Row-major bin codes, rows × cols. */
  codes: Uint8Array;
  /** Where each column's bins start in a node histogram; the last entry is the total bin count. */
  binOffset: Int32Array;
  /** Each column's most common bin, left out of `rowBin`: its totals are the node's minus the rest. */
  defaultBin: Uint8Array;
  /** CSR by row of the non-default bins, as histogram positions (`binOffset[c] + bin`). */
  rowStart: Int32Array;
  rowBin: Int32Array;
}

export function binColumns(x: EncodedMatrix, maxBins: number): Binned {
  const { rows, cols, data } = x;
  const cuts: number[][] = [];
  const codes = new Uint8Array(rows * cols);
  const defaultBin = new Uint8Array(cols);
  const binOffset = new Int32Array(cols + 1);
  const column = new Float64Array(rows);
  let nonDefault = 0;
  for (let c = 0; c < cols; c++) {
    for (let r = 0; r < rows; r++) column[r] = data[r * cols + c]!;
    const sorted = Float64Array.from(column).sort();
    const columnCuts: number[] = [];
    const perBin = rows / maxBins;
    let sinceCut = 0;
    for (let i = 0; i < rows; ) {
      let j = i;
      while (j < rows && sorted[j] === sorted[i]) j++;
      sinceCut += j - i;
      if (j < rows && sinceCut >= perBin && columnCuts.length < maxBins - 1) {
        columnCuts.push(cutBetween(sorted[i]!, sorted[j]!));
        sinceCut = 0;
      }
      i = j;
    }
    cuts.push(columnCuts);
    binOffset[c + 1] = binOffset[c]! + columnCuts.length + 1;
    const counts = new Uint32Array(columnCuts.length + 1);
    for (let r = 0; r < rows; r++) {
      const bin = binOf(columnCuts, column[r]!);
      codes[r * cols + c] = bin;
      counts[bin]!++;
    }
    let mode = 0;
    for (let b = 1; b < counts.length; b++) if (counts[b]! > counts[mode]!) mode = b;
    defaultBin[c] = mode;
    nonDefault += rows - counts[mode]!;
  }
  const rowStart = new Int32Array(rows + 1);
  const rowBin = new Int32Array(nonDefault);
  let k = 0;
  for (let r = 0; r < rows; r++) {
    rowStart[r] = k;
    for (let c = 0; c < cols; c++) {
      const bin = codes[r * cols + c]!;
      if (bin !== defaultBin[c]) rowBin[k++] = binOffset[c]! + bin;
    }
  }
  rowStart[rows] = k;
  return { cuts, codes, binOffset, defaultBin, rowStart, rowBin };
}

/** Index of the first cut ≥ value (binary search); values above every cut land in the last bin. */
function binOf(cuts: readonly number[], value: number): number {
  let lo = 0;
  let hi = cuts.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (value <= cuts[mid]!) hi = mid;
    else lo = mid + 1;
  }
  return lo;
}
