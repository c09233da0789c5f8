/** Latency figures in milliseconds. */
export interface LatencySummary {
  count: number;
  mean: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

/** What one load run measured; the same shape for every transport, so ratios compare like with like. */
export interface LoadResult {
  /** Responses that arrived inside the measured window and were correct. */
  requests: number;
  /** Connection errors, non-2xx answers, wrong bodies, unknown ids, sockets closed by the server. */
  errors: number;
  elapsedS: number;
  reqPerSec: number;
  latency: LatencySummary;
}

/**
 * Collects latency samples in a flat growable `Float64Array`: a million samples cost 8 MB and no
 * per-sample allocation, so recording does not disturb the load generator it runs in.
 */
export class LatencyRecorder {
  private samples = new Float64Array(1 << 16);
  private length = 0;

  record(ms: number): void {
    if (this.length === this.samples.length) {
      const grown = new Float64Array(this.samples.length * 2);
      grown.set(this.samples);
      this.samples = grown;
    }
    this.samples[this.length++] = ms;
  }

  get count(): number {
    return this.length;
  }

  summary(): LatencySummary {
    return summarize(this.samples.subarray(0, this.length));
  }
}

/**
 * Nearest-rank percentile of samples sorted ascending
 * (https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method): always a value that was measured,
 * never an interpolation. NaN when there are no samples.
 */
export function percentile(sorted: ArrayLike<number>, p: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return sorted[rank - 1] as number;
}

export function summarize(samples: Float64Array): LatencySummary {
  // TypedArray sort is numeric (unlike Array#sort); slice so the caller's order is kept.
  const sorted = samples.slice().sort();
  let sum = 0;
  for (const value of sorted) sum += value;
  return {
    count: sorted.length,
    mean: sorted.length === 0 ? Number.NaN : sum / sorted.length,
    p50: percentile(sorted, 50),
    p90: percentile(sorted, 90),
    p99: percentile(sorted, 99),
    max: sorted.length === 0 ? Number.NaN : (sorted[sorted.length - 1] as number),
  };
}

/** The median of a list (the mean of the middle two when the count is even); NaN when empty. */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}
