import type { TriageEvaluation } from "../agents/triage/model.js";

/** Plain-text tables for the triage commands' human output (JSON output never goes through here). */

function table(rows: readonly (readonly string[])[]): string {
  const widths = rows[0]!.map((_, c) => Math.max(...rows.map((row) => row[c]!.length)));
  return rows
    .map((row) =>
      row
        .map((cell, c) => (c === 0 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
        .join("   ")
        .trimEnd(),
    )
    .join("\n");
}

const METRICS: { label: string; value: (e: TriageEvaluation) => string }[] = [
  { label: "AUC", value: (e) => e.auc.toFixed(4) },
  { label: "PR-AUC", value: (e) => e.prAuc.toFixed(4) },
  { label: "Brier", value: (e) => e.brier.toFixed(4) },
  { label: "log loss", value: (e) => e.logLoss.toFixed(4) },
  { label: "ECE", value: (e) => e.ece.toFixed(4) },
  { label: "top-decile lift", value: (e) => e.liftTopDecile.toFixed(2) },
];

/** One column per named evaluation, one row per metric. */
export function metricsTable(columns: readonly { title: string; evaluation: TriageEvaluation }[]): string {
  return table([
    ["metric", ...columns.map((c) => c.title)],
    ...METRICS.map((m) => [m.label, ...columns.map((c) => m.value(c.evaluation))]),
  ]);
}

/** The reliability bins: how often leads converted at each predicted probability. */
export function calibrationTable(evaluation: TriageEvaluation): string {
  return table([
    ["predicted", "leads", "mean predicted", "observed"],
    ...evaluation.calibration.map((bin) => [
      `${bin.lower.toFixed(1)}–${bin.upper.toFixed(1)}`,
      String(bin.count),
      bin.meanPredicted.toFixed(3),
      bin.observedRate.toFixed(3),
    ]),
  ]);
}
