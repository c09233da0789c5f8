/**
 * Curves and tables for the triage report, pure. Gains treat a group of tied scores pro rata (as
 * `liftAtTop` in src/agents/triage/metrics.ts does), so the numbers do not depend on how a sort orders
 * equal scores; the top-decile lift read off the gains curve therefore equals the model's own metric.
 */

/** Cumulative (leads, positives) after each group of tied scores, best scores first, from (0, 0). */
function tieGroups(scores: readonly number[], labels: readonly number[]): { n: number; pos: number }[] {
  const order = scores.map((_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  const steps = [{ n: 0, pos: 0 }];
  let n = 0;
  let pos = 0;
  for (let i = 0; i < order.length; ) {
    const score = scores[order[i]!]!;
    while (i < order.length && scores[order[i]!] === score) {
      pos += labels[order[i]!] === 1 ? 1 : 0;
      n++;
      i++;
    }
    steps.push({ n, pos });
  }
  return steps;
}

/** Positives captured among the best `count` leads, interpolating inside a tie group. */
function capturedAt(groups: readonly { n: number; pos: number }[], count: number): number {
  for (let g = 1; g < groups.length; g++) {
    const prev = groups[g - 1]!;
    const cur = groups[g]!;
    if (count <= cur.n) return prev.pos + ((count - prev.n) / (cur.n - prev.n)) * (cur.pos - prev.pos);
  }
  return groups.at(-1)!.pos;
}

/** The gains curve at `steps + 1` evenly spaced shares of leads: x contacted, y conversions captured. */
export function gainsCurve(
  scores: readonly number[],
  labels: readonly number[],
  steps = 100,
): { x: number; y: number }[] {
  const groups = tieGroups(scores, labels);
  const total = groups.at(-1)!;
  return Array.from({ length: steps + 1 }, (_, k) => {
    const x = k / steps;
    return { x, y: total.pos === 0 ? 0 : capturedAt(groups, x * total.n) / total.pos };
  });
}

export interface DecileRow {
  decile: number;
  /** Leads in the decile (fractional when a tie group straddles a boundary). */
  leads: number;
  conversions: number;
  rate: number;
  /** The decile's rate over the base rate. */
  lift: number;
  /** Share of all conversions captured by this and better deciles. */
  cumulativeCapture: number;
}

export function decileTable(scores: readonly number[], labels: readonly number[]): DecileRow[] {
  const groups = tieGroups(scores, labels);
  const total = groups.at(-1)!;
  const baseRate = total.pos / total.n;
  return Array.from({ length: 10 }, (_, d) => {
    const from = capturedAt(groups, (d / 10) * total.n);
    const to = capturedAt(groups, ((d + 1) / 10) * total.n);
    const leads = total.n / 10;
    const rate = (to - from) / leads;
    return {
      decile: d + 1,
      leads,
      conversions: to - from,
      rate,
      lift: baseRate === 0 ? 0 : rate / baseRate,
      cumulativeCapture: total.pos === 0 ? 0 : to / total.pos,
    };
  });
}

/**
 * At most `max` points, evenly spaced by index, always keeping the first and last: a ROC curve has one
 * point per distinct score (over a thousand here), far more than a 420-pixel chart can show.
 */
export function decimate<T>(points: readonly T[], max: number): T[] {
  if (points.length <= max) return [...points];
  const keep = new Set<number>();
  for (let k = 0; k < max; k++) keep.add(Math.round((k * (points.length - 1)) / (max - 1)));
  return [...keep].sort((a, b) => a - b).map((i) => points[i]!);
}

/** p-th percentile (0–100) by linear interpolation between order statistics. */
export function percentile(values: readonly number[], p: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = (p / 100) * (sorted.length - 1);
  const lo = Math.floor(rank);
  const hi = Math.ceil(rank);
  return sorted[lo]! + (rank - lo) * (sorted[hi]! - sorted[lo]!);
}
