import { readFile } from "node:fs/promises";
import { z } from "zod";
import { HarnessError, HarnessErrorCode } from "./errors.js";
import { formatDuration, formatNumber } from "./format.js";
import { type Metric, type Report, ReportSchema } from "./report.js";
import { renderMarkdownTable } from "./table.js";

/**
 * Comparison mode: two report.json files side by side, metric by metric, with the change and whether it is
 * an improvement given the metric's direction. Pairing is by suite and metric id, so a metric present in
 * only one report still shows (as added or removed) instead of silently vanishing.
 */

export type Verdict = "better" | "worse" | "same" | "changed" | "only-a" | "only-b" | "unmeasured";

export interface ComparisonRow {
  suite: string;
  metricId: string;
  label: string;
  a: Metric | null;
  b: Metric | null;
  /** b − a, when both are numbers. */
  delta: number | null;
  /** (b − a) / |a|, when a is a non-zero number. */
  relative: number | null;
  verdict: Verdict;
}

/** Changes smaller than this, relative to the larger magnitude, are float noise and count as the same. */
const SAME_TOLERANCE = 1e-9;

export function verdictOf(a: Metric | null, b: Metric | null): Verdict {
  if (!a) return "only-b";
  if (!b) return "only-a";
  if (a.value === null || b.value === null) return "unmeasured";
  const scale = Math.max(Math.abs(a.value), Math.abs(b.value), 1e-300);
  if (Math.abs(b.value - a.value) / scale <= SAME_TOLERANCE) return "same";
  const direction = b.better;
  if (direction === "none") return "changed";
  const up = b.value > a.value;
  return up === (direction === "higher") ? "better" : "worse";
}

/** Suites with metrics in one report and not the other (not run, skipped or crashed there). */
export function unpairedSuites(a: Report, b: Report): { onlyA: string[]; onlyB: string[] } {
  const measured = (r: Report) => new Set(r.suites.filter((s) => s.metrics.length > 0).map((s) => s.id));
  const [inA, inB] = [measured(a), measured(b)];
  return { onlyA: [...inA].filter((id) => !inB.has(id)), onlyB: [...inB].filter((id) => !inA.has(id)) };
}

/**
 * Pairs every metric of the suites both reports measured, in A's order, then B's additions. A suite only
 * one report measured is left to `unpairedSuites`: forty "removed" rows would bury the real changes.
 */
export function compareReports(a: Report, b: Report): ComparisonRow[] {
  const { onlyA, onlyB } = unpairedSuites(a, b);
  const unpaired = new Set([...onlyA, ...onlyB]);
  const key = (suite: string, id: string) => `${suite}\u0000${id}`;
  const byKey = new Map<string, { suite: string; a: Metric | null; b: Metric | null }>();
  for (const [side, report] of [
    ["a", a],
    ["b", b],
  ] as const) {
    for (const suite of report.suites.filter((s) => !unpaired.has(s.id))) {
      for (const m of suite.metrics) {
        const k = key(suite.id, m.id);
        const entry = byKey.get(k) ?? { suite: suite.id, a: null, b: null };
        entry[side] = m;
        byKey.set(k, entry);
      }
    }
  }
  return [...byKey.values()].map(({ suite, a: ma, b: mb }) => {
    const both = ma?.value != null && mb?.value != null;
    const delta = both ? mb!.value! - ma!.value! : null;
    return {
      suite,
      metricId: (ma ?? mb)!.id,
      label: (mb ?? ma)!.label,
      a: ma,
      b: mb,
      delta,
      relative: delta !== null && ma!.value !== 0 ? delta / Math.abs(ma!.value!) : null,
      verdict: verdictOf(ma, mb),
    };
  });
}

const VERDICT_TEXT: Record<Verdict, string> = {
  better: "better",
  worse: "worse",
  same: "same",
  changed: "changed",
  "only-a": "removed",
  "only-b": "added",
  unmeasured: "n/a",
};

/** ↑/↓ is the sign of the change; the word says whether that is good for this metric. */
export function arrowOf(row: Pick<ComparisonRow, "delta" | "verdict">): string {
  if (row.delta === null) return VERDICT_TEXT[row.verdict];
  if (row.verdict === "same") return "= same";
  const icon = row.verdict === "better" ? "✅ " : row.verdict === "worse" ? "❌ " : "";
  return `${icon}${row.delta > 0 ? "↑" : "↓"} ${VERDICT_TEXT[row.verdict]}`;
}

function formatDelta(row: ComparisonRow): string {
  const m = (row.b ?? row.a)!;
  if (row.delta === null) return "";
  const sign = row.delta > 0 ? "+" : row.delta < 0 ? "−" : "±";
  const magnitude = formatNumber(Math.abs(row.delta), m.format === "ms" ? { ...m, format: "decimal" } : m);
  const relative = row.relative === null ? "" : ` (${sign}${(Math.abs(row.relative) * 100).toFixed(1)}%)`;
  return `${sign}${magnitude}${m.format === "ms" ? " ms" : ""}${relative}`;
}

function describe(report: Report): string {
  const commit = report.git.commit ? report.git.commit.slice(0, 10) : "unknown commit";
  return `${report.createdAt} · ${commit}${report.git.dirty ? "+dirty" : ""} · ${report.profile} · ${formatDuration(report.durationMs)}`;
}

/** The comparison as markdown: which runs, a tally, then one row per metric. */
export function renderComparison(a: Report, b: Report, labels: { a: string; b: string }): string {
  const rows = compareReports(a, b);
  const count = (v: Verdict) => rows.filter((r) => r.verdict === v).length;
  const table = renderMarkdownTable(
    ["Suite", "Metric", "A", "B", "Δ (B − A)", ""],
    rows.map((r) => [
      r.suite,
      r.label,
      r.a ? formatNumber(r.a.value, r.a) : "",
      r.b ? formatNumber(r.b.value, r.b) : "",
      formatDelta(r),
      arrowOf(r),
    ]),
    [2, 3, 4],
  );
  const { onlyA, onlyB } = unpairedSuites(a, b);
  const unpairedNote = [
    onlyA.length ? `Measured only in A: ${onlyA.join(", ")}.` : "",
    onlyB.length ? `Measured only in B: ${onlyB.join(", ")}.` : "",
  ]
    .filter(Boolean)
    .join(" ");
  return [
    "# Evaluation comparison",
    [
      `- **A**: \`${labels.a}\` (${describe(a)}, ${a.status})`,
      `- **B**: \`${labels.b}\` (${describe(b)}, ${b.status})`,
    ].join("\n"),
    `${count("better")} better, ${count("worse")} worse, ${count("same")} same, ${count("changed")} changed without a direction, ${count("only-a") + count("only-b")} only in one report.${unpairedNote ? ` ${unpairedNote}` : ""}`,
    table,
  ].join("\n\n");
}

/** Reads and validates a report.json for comparison. */
export async function readReport(path: string): Promise<Report> {
  let text: string;
  try {
    text = await readFile(path, "utf8");
  } catch (cause) {
    throw new HarnessError(HarnessErrorCode.InvalidReport, `cannot read ${path}`, { cause });
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (cause) {
    throw new HarnessError(HarnessErrorCode.InvalidReport, `${path} is not JSON`, { cause });
  }
  const parsed = ReportSchema.safeParse(json);
  if (!parsed.success) {
    throw new HarnessError(
      HarnessErrorCode.InvalidReport,
      `${path} is not an evaluation report.json:\n${z.prettifyError(parsed.error)}`,
      { cause: parsed.error },
    );
  }
  return parsed.data;
}
