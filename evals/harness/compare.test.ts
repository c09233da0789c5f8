import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { arrowOf, compareReports, readReport, renderComparison, verdictOf } from "./compare.js";
import { HarnessError } from "./errors.js";
import { sampleReport } from "./fixtures.js";
import { metric } from "./report.js";

const m = (value: number | null, better: "higher" | "lower" | "none") =>
  metric({ id: "x", label: "x", value, better });

describe("verdictOf", () => {
  it("reads a change against the metric's direction", () => {
    expect(verdictOf(m(0.9, "higher"), m(0.95, "higher"))).toBe("better");
    expect(verdictOf(m(0.9, "higher"), m(0.85, "higher"))).toBe("worse");
    expect(verdictOf(m(0.12, "lower"), m(0.1, "lower"))).toBe("better");
    expect(verdictOf(m(0.12, "lower"), m(0.2, "lower"))).toBe("worse");
    expect(verdictOf(m(100, "none"), m(120, "none"))).toBe("changed");
  });

  it("treats float noise as the same, and names one-sided and unmeasured metrics", () => {
    expect(verdictOf(m(0.1 + 0.2, "higher"), m(0.3, "higher"))).toBe("same");
    expect(verdictOf(null, m(1, "higher"))).toBe("only-b");
    expect(verdictOf(m(1, "higher"), null)).toBe("only-a");
    expect(verdictOf(m(null, "higher"), m(1, "higher"))).toBe("unmeasured");
  });
});

describe("compareReports", () => {
  const a = sampleReport({ auc: 0.9, brier: 0.12, count: 100 });
  const b = sampleReport({ auc: 0.92, brier: 0.125, count: 100 });
  b.suites[0]!.metrics.push(metric({ id: "new", label: "new metric", value: 1, better: "higher" }));
  const rows = compareReports(a, b);
  const row = (id: string) => rows.find((r) => r.metricId === id)!;

  it("pairs metrics by suite and id, with absolute and relative deltas", () => {
    expect(row("auc.pre-contact").delta).toBeCloseTo(0.02, 12);
    expect(row("auc.pre-contact").relative).toBeCloseTo(0.02 / 0.9, 12);
    expect(row("auc.pre-contact").verdict).toBe("better");
    expect(row("brier.pre-contact").verdict).toBe("worse");
    expect(row("leads").verdict).toBe("same");
    expect(row("new").verdict).toBe("only-b");
  });

  it("draws the arrow from the sign and the word from the direction", () => {
    expect(arrowOf(row("auc.pre-contact"))).toBe("✅ ↑ better");
    expect(arrowOf(row("brier.pre-contact"))).toBe("❌ ↑ worse");
    expect(arrowOf(row("leads"))).toBe("= same");
    expect(arrowOf(row("new"))).toBe("added");
  });

  it("renders a markdown table with a tally", () => {
    const markdown = renderComparison(a, b, { a: "old/report.json", b: "new/report.json" });
    expect(markdown).toContain("- **A**: `old/report.json`");
    expect(markdown).toContain(
      "1 better, 1 worse, 1 same, 0 changed without a direction, 1 only in one report.",
    );
    expect(markdown).toContain(
      "| triage | AUC, pre-contact | 0.900 | 0.920 | +0.020 (+2.2%) | ✅ ↑ better |",
    );
    expect(markdown).toContain(
      "| triage | Brier, pre-contact | 0.1200 | 0.1250 | +0.0050 (+4.2%) | ❌ ↑ worse |",
    );
  });
});

describe("suites measured in one report only", () => {
  it("are named once instead of listing each metric as removed", () => {
    const a = sampleReport();
    const b = sampleReport();
    b.suites = b.suites.filter((s) => s.id !== "triage");
    expect(compareReports(a, b)).toEqual([]);
    expect(renderComparison(a, b, { a: "a", b: "b" })).toContain("Measured only in A: triage.");
  });
});

describe("readReport", () => {
  it("round-trips a report and rejects what is not one, naming the file", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-compare-"));
    const good = join(dir, "good.json");
    const bad = join(dir, "bad.json");
    await writeFile(good, JSON.stringify(sampleReport()));
    await writeFile(bad, JSON.stringify({ schemaVersion: 1, suites: "no" }));
    expect(await readReport(good)).toEqual(sampleReport());
    await expect(readReport(bad)).rejects.toThrow(HarnessError);
    await expect(readReport(bad)).rejects.toThrow(/bad\.json is not an evaluation report\.json/);
    await expect(readReport(join(dir, "missing.json"))).rejects.toThrow(/cannot read/);
  });
});
