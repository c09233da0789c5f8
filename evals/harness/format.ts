import type { Metric, Threshold } from "./report.js";

/**
 * Numbers as people read them, the same in the stdout table, report.md and the comparison. Pure.
 */

const grouped = new Intl.NumberFormat("en-US", { maximumFractionDigits: 0 });
/** Counts that are medians of an even number of runs may end in .5. */
const groupedHalf = new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 });

type Formattable = Pick<Metric, "format" | "digits" | "unit">;

/** The bare number in the metric's format (no unit): `0.902`, `38.5%`, `2,604`, `12.3 ms`. */
export function formatNumber(value: number | null, m: Formattable): string {
  if (value === null || !Number.isFinite(value)) return "–";
  switch (m.format) {
    case "percent":
      return `${(value * 100).toFixed(Math.max(0, m.digits - 2))}%`;
    case "integer":
      return groupedHalf.format(value);
    case "ms":
      return `${value >= 100 ? grouped.format(value) : value.toPrecision(3)} ms`;
    case "ratio":
    case "decimal":
      return value.toFixed(m.digits);
  }
}

/** The value with its unit, if any: `1,234 leads/s`. */
export function formatMetric(m: Pick<Metric, "value" | "format" | "digits" | "unit">): string {
  const text = formatNumber(m.value, m);
  return m.unit && m.value !== null ? `${text} ${m.unit}` : text;
}

/** `≥ 0.880`, or `> 2,178 (UCB median)` when the bound has a name. */
export function formatThreshold(threshold: Threshold | undefined, m: Formattable): string {
  if (!threshold) return "";
  const op = { ">=": "≥", ">": ">", "<=": "≤", "<": "<" }[threshold.op];
  const label = threshold.label ? ` (${threshold.label})` : "";
  return `${op} ${formatNumber(threshold.value, m)}${label}`;
}

export function formatResult(m: Pick<Metric, "passed">): string {
  if (m.passed === undefined) return "";
  return m.passed ? "pass" : "FAIL";
}

export function formatDuration(ms: number): string {
  return ms < 1_000 ? `${Math.round(ms)} ms` : `${(ms / 1_000).toFixed(1)} s`;
}
