import { formatDuration, formatMetric, formatResult, formatThreshold } from "./format.js";
import type { Metric, Report, Section, SuiteReport } from "./report.js";
import { renderMarkdownTable, renderTextTable } from "./table.js";

/**
 * report.md and the stdout table, both rendered from a `Report` alone (pure), so a report.json read back
 * renders the same document.
 */

const STATUS_LABEL: Record<SuiteReport["status"], string> = {
  passed: "passed",
  failed: "FAILED",
  skipped: "skipped",
  error: "ERROR",
};

function metricRow(suite: SuiteReport, m: Metric): string[] {
  return [suite.id, m.label, formatMetric(m), formatThreshold(m.threshold, m), formatResult(m)];
}

/** Every metric of every suite that ran, then one line per skipped or crashed suite with its reason. */
export function renderMetricsTable(report: Report): string {
  const rows: string[][] = [];
  const notes: string[] = [];
  for (const suite of report.suites) {
    if (suite.metrics.length === 0) {
      // The reason can be long; it goes under the table so the columns stay narrow.
      rows.push([suite.id, STATUS_LABEL[suite.status], "–", "", ""]);
      notes.push(`${suite.id}: ${suite.summary}`);
      continue;
    }
    for (const m of suite.metrics) rows.push(metricRow(suite, m));
  }
  const table = renderTextTable(["suite", "metric", "value", "threshold", "result"], rows, [2]);
  const verdict = report.status === "passed" ? "all thresholds met" : "THRESHOLDS FAILED";
  const timings = report.suites
    .filter((s) => s.status !== "skipped")
    .map((s) => `${s.id} ${formatDuration(s.durationMs)}`);
  const footer = `${verdict} · ${formatDuration(report.durationMs)} (${timings.join(", ")}) · profile ${report.profile}`;
  return [table, ...(notes.length ? ["", ...notes] : []), "", footer].join("\n");
}

function renderSection(section: Section): string {
  const heading = section.kind !== "chart" && section.title ? `#### ${section.title}\n\n` : "";
  switch (section.kind) {
    case "text":
      return heading + section.text;
    case "table":
      return heading + renderMarkdownTable(section.columns, section.rows, section.numeric);
    case "chart": {
      const caption = section.caption ? `\n\n*${section.caption}*` : "";
      return `#### ${section.title}\n\n![${section.alt}](${section.file})${caption}`;
    }
  }
}

function renderSuite(suite: SuiteReport): string {
  const parts = [`## ${suite.title}`, `**${STATUS_LABEL[suite.status]}** · ${suite.summary}`];
  if (suite.metrics.length > 0) {
    parts.push(
      renderMarkdownTable(
        ["Metric", "Value", "Threshold", "Result"],
        suite.metrics.map((m) => metricRow(suite, m).slice(1)),
        [1],
      ),
    );
  }
  for (const section of suite.sections) parts.push(renderSection(section));
  return parts.join("\n\n");
}

function headerLines(report: Report): string[] {
  const commit = report.git.commit
    ? `commit \`${report.git.commit.slice(0, 10)}\`${report.git.dirty ? " (with uncommitted changes)" : ""}`
    : "commit unknown";
  return [
    "# Evaluation report",
    [
      `${report.createdAt}`,
      commit,
      `profile **${report.profile}**`,
      `Node ${report.environment.node} on ${report.environment.platform}, ${report.environment.cpus} CPUs`,
      `${formatDuration(report.durationMs)} in total`,
    ].join(" · "),
    `Produced by \`${report.command}\`. Data: ${report.dataDir ? `\`${report.dataDir}\`` : "none found"}. ` +
      `LLM judge: ${report.judge ? `\`${report.judge}\`` : "off (offline run: no OPENAI_* endpoint configured)"}.`,
    `**Overall: ${report.status === "passed" ? "every threshold met" : "a threshold failed or a suite crashed"}.**`,
  ];
}

/** The human-readable report: header, a summary table, then each suite's metrics, tables and charts. */
export function renderReportMarkdown(report: Report): string {
  const summary = renderMarkdownTable(
    ["Suite", "Status", "Summary", "Time"],
    report.suites.map((s) => [s.title, STATUS_LABEL[s.status], s.summary, formatDuration(s.durationMs)]),
    [3],
  );
  return `${[...headerLines(report), "## Summary", summary, ...report.suites.map(renderSuite)].join("\n\n")}\n`;
}
