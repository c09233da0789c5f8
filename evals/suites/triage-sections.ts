import type { TriageSetting } from "../../src/agents/triage/dataset.js";
import type { TriageEvaluation, TriageModel } from "../../src/agents/triage/model.js";
import { formatDuration } from "../harness/format.js";
import type { SectionInput } from "../harness/report.js";
import type { DecileRow } from "./triage-curves.js";
import type { GraphRunStats } from "./triage-graph.js";

export interface SettingResult {
  setting: TriageSetting;
  model: TriageModel;
  evaluation: TriageEvaluation;
  /** Hold-out probabilities, in test-row order (for the curves). */
  probabilities: number[];
  trainSeconds: number;
}

/** The triage suite's part of report.md: tables and chart references, from results alone. Pure. */

const f = (value: number, digits = 3) => value.toFixed(digits);
const pct = (value: number) => `${(value * 100).toFixed(1)}%`;
const share = (counts: Record<string, number>, total: number) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1])
    .map(([key, n]) => [key, String(n), pct(n / total)]);

export function triageSections(input: {
  results: readonly SettingResult[];
  deciles: readonly { label: string; rows: readonly DecileRow[] }[];
  graph: GraphRunStats;
  trainRows: number;
  testRows: number;
  splitSeed: number;
  label: (setting: TriageSetting) => string;
}): SectionInput[] {
  const { results, deciles, graph, label } = input;
  const sections: SectionInput[] = [
    {
      kind: "text",
      text:
        `The blend model (gradient-boosted trees + logistic regression, Platt-calibrated on out-of-fold scores) is trained on ` +
        `${input.trainRows.toLocaleString("en-US")} leads and scored on ${input.testRows.toLocaleString("en-US")} held-out leads ` +
        `(seeded stratified 80/20 split, seed ${input.splitSeed}). *pre-contact* uses what triage knows at first touch; ` +
        `*all columns* adds the sales team's post-contact columns, which leak the outcome; *lead-input* uses only the seven ` +
        `fields a product lead carries and is the model the graph runs below.`,
    },
    {
      kind: "table",
      title: "Hold-out metrics per setting",
      columns: [
        "Setting",
        "Features",
        "AUC",
        "PR-AUC",
        "Brier",
        "Log loss",
        "ECE",
        "Lift top 10%",
        "Train time",
      ],
      numeric: [1, 2, 3, 4, 5, 6, 7, 8],
      rows: results.map((r) => [
        label(r.setting),
        String(r.model.featureSpec.columns.length),
        f(r.evaluation.auc, 4),
        f(r.evaluation.prAuc, 4),
        f(r.evaluation.brier, 4),
        f(r.evaluation.logLoss, 4),
        f(r.evaluation.ece, 4),
        f(r.evaluation.liftTopDecile, 2),
        formatDuration(r.trainSeconds * 1000),
      ]),
    },
    {
      kind: "chart",
      title: "ROC",
      file: "triage-roc.svg",
      alt: "ROC curves of the pre-contact and all-columns models on the hold-out",
    },
    {
      kind: "chart",
      title: "Calibration",
      file: "triage-calibration.svg",
      alt: "Reliability diagram: mean predicted probability against observed conversion rate per bin",
      caption:
        "Points on the dashed diagonal are perfectly calibrated; point size is the number of leads in the bin.",
    },
    {
      kind: "chart",
      title: "Lift / cumulative gains",
      file: "triage-gains.svg",
      alt: "Cumulative gains: share of conversions captured against share of leads contacted",
      caption: "The dotted rule marks the top decile; the dashed diagonal is contacting leads at random.",
    },
    {
      kind: "table",
      title: "Lift by decile (best-scored 10% first)",
      columns: ["Decile", ...deciles.flatMap((d) => [`${d.label}: rate`, "lift", "captured"])],
      numeric: [0, ...deciles.flatMap((_, k) => [1 + 3 * k, 2 + 3 * k, 3 + 3 * k])],
      rows: Array.from({ length: 10 }, (_, i) => [
        String(i + 1),
        ...deciles.flatMap((d) => {
          const row = d.rows[i]!;
          return [pct(row.rate), f(row.lift, 2), pct(row.cumulativeCapture)];
        }),
      ]),
    },
  ];
  for (const r of results.filter((x) => x.setting !== "lead-input")) {
    sections.push({
      kind: "table",
      title: `Calibration table, ${label(r.setting)}`,
      columns: ["Predicted", "Leads", "Mean predicted", "Observed rate", "Gap"],
      numeric: [1, 2, 3, 4],
      rows: r.evaluation.calibration.map((b) => [
        `${f(b.lower, 1)}–${f(b.upper, 1)}`,
        String(b.count),
        f(b.meanPredicted),
        f(b.observedRate),
        f(b.observedRate - b.meanPredicted),
      ]),
    });
  }
  sections.push(
    {
      kind: "table",
      title: "Through the graph",
      columns: ["Leads", "Seconds", "Leads/s", "p50", "p95", "AUC of graph scores", "Graph ≠ model"],
      numeric: [0, 1, 2, 3, 4, 5, 6],
      rows: [
        [
          String(graph.leads),
          f(graph.seconds, 2),
          f(graph.leadsPerSecond, 1),
          formatDuration(graph.p50Ms),
          formatDuration(graph.p95Ms),
          graph.auc === null ? "–" : f(graph.auc, 4),
          String(graph.scoreMismatches),
        ],
      ],
    },
    {
      kind: "text",
      text:
        `Held-out rows were mapped to product leads (source, visits, time on site, page views, last activity, ` +
        `do-not-email, occupation as a job title; a synthetic first name and an example.com address) and sent one ` +
        `after another through \`system.threads.run\` on \`memory://\`, each on its own thread, after ten warm-up runs. ` +
        `"Graph ≠ model" counts leads whose graph score differs from \`scoreLead\` on the same model.`,
    },
    {
      kind: "table",
      title: "Classes assigned in the graph",
      columns: ["Class", "Leads", "Share"],
      numeric: [1, 2],
      rows: share(graph.classes, graph.leads),
    },
    {
      kind: "table",
      title: "Handoff paths taken",
      columns: ["Path", "Leads", "Share"],
      numeric: [1, 2],
      rows: share(graph.paths, graph.leads),
    },
  );
  return sections;
}
