import { describe, expect, it } from "vitest";
import { sampleReport } from "./fixtures.js";
import { renderMetricsTable, renderReportMarkdown } from "./markdown.js";
import { metric } from "./report.js";

describe("renderReportMarkdown", () => {
  const markdown = renderReportMarkdown(sampleReport());

  it("opens with the run's provenance and the command that produced it", () => {
    expect(markdown).toMatch(/^# Evaluation report\n/);
    expect(markdown).toContain("commit `0123456789`");
    expect(markdown).toContain("Produced by `marketing-agents eval`");
    expect(markdown).toContain("LLM judge: off");
  });

  it("summarises every suite, skipped ones with their reason", () => {
    expect(markdown).toContain("| Triage | passed | AUC fine | 1.2 s |");
    expect(markdown).toContain("| Memory | skipped | skipped: memory layer not available | 0 ms |");
  });

  it("lists metrics with thresholds and results, and escapes pipes inside cells", () => {
    expect(markdown).toContain("| AUC, pre-contact | 0.900 | ≥ 0.880 | pass |");
    expect(markdown).toContain("| Brier, pre-contact | 0.1200 |  |  |");
    expect(markdown).toContain("| pre\\|contact | 0.900 |");
  });

  it("embeds charts as images with alt text and caption", () => {
    expect(markdown).toContain("#### ROC\n\n![ROC curves](triage-roc.svg)\n\n*Dashed: chance.*");
  });
});

describe("renderMetricsTable", () => {
  it("aligns a plain-text table and puts long skip reasons under it", () => {
    const text = renderMetricsTable(sampleReport());
    const lines = text.split("\n");
    expect(lines[0]).toMatch(/^suite\s+metric\s+value\s+threshold\s+result$/);
    expect(lines.find((l) => l.startsWith("triage") && l.includes("AUC"))).toMatch(
      /0\.900\s+≥ 0\.880\s+pass$/,
    );
    expect(text).toContain("memory: skipped: memory layer not available");
    expect(text).toMatch(/all thresholds met · 5\.0 s \(triage 1\.2 s\) · profile full$/);
  });

  it("says FAIL next to a missed threshold and in the verdict", () => {
    const report = sampleReport();
    report.suites[0]!.metrics[0] = metric({
      id: "auc",
      label: "AUC",
      value: 0.8,
      better: "higher",
      threshold: { op: ">=", value: 0.88 },
    });
    report.status = "failed";
    const text = renderMetricsTable(report);
    expect(text).toMatch(/AUC\s+0\.800\s+≥ 0\.880\s+FAIL/);
    expect(text).toContain("THRESHOLDS FAILED");
  });
});
