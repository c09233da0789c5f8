import { describe, expect, it } from "vitest";
import { formatMetric, formatThreshold } from "./format.js";
import { meetsThreshold, metric, overallStatus, statusOf } from "./report.js";

describe("thresholds", () => {
  it("checks each operator at and beside the bound", () => {
    expect(meetsThreshold(0.88, { op: ">=", value: 0.88 })).toBe(true);
    expect(meetsThreshold(0.88, { op: ">", value: 0.88 })).toBe(false);
    expect(meetsThreshold(0.05, { op: "<=", value: 0.05 })).toBe(true);
    expect(meetsThreshold(0.05, { op: "<", value: 0.05 })).toBe(false);
  });

  it("never passes a value that could not be measured", () => {
    expect(meetsThreshold(null, { op: ">=", value: 0 })).toBe(false);
    expect(meetsThreshold(Number.NaN, { op: "<=", value: 1 })).toBe(false);
  });

  it("sets passed only on metrics that have a threshold, and fails the suite on any miss", () => {
    const plain = metric({ id: "n", label: "n", value: 3, better: "none" });
    const missed = metric({
      id: "auc",
      label: "AUC",
      value: 0.8,
      better: "higher",
      threshold: { op: ">=", value: 0.88 },
    });
    expect(plain.passed).toBeUndefined();
    expect(missed.passed).toBe(false);
    expect(statusOf([plain])).toBe("passed");
    expect(statusOf([plain, missed])).toBe("failed");
  });

  it("fails a run on a failed or crashed suite, not on a skipped one", () => {
    expect(overallStatus([{ status: "passed" }, { status: "skipped" }])).toBe("passed");
    expect(overallStatus([{ status: "passed" }, { status: "error" }])).toBe("failed");
    expect(overallStatus([{ status: "failed" }])).toBe("failed");
  });
});

describe("formatting", () => {
  it("shows each format the way the report reads", () => {
    expect(formatMetric(metric({ id: "a", label: "a", value: 0.90191, better: "higher" }))).toBe("0.902");
    expect(
      formatMetric(metric({ id: "p", label: "p", value: 0.51, format: "percent", better: "higher" })),
    ).toBe("51.0%");
    expect(
      formatMetric(metric({ id: "i", label: "i", value: 2604.5, format: "integer", better: "higher" })),
    ).toBe("2,604.5");
    expect(formatMetric(metric({ id: "m", label: "m", value: 118.2, format: "ms", better: "lower" }))).toBe(
      "118 ms",
    );
    expect(
      formatMetric(
        metric({ id: "r", label: "r", value: 7.44, digits: 1, unit: "leads/s", better: "higher" }),
      ),
    ).toBe("7.4 leads/s");
    expect(formatMetric(metric({ id: "x", label: "x", value: null, better: "higher" }))).toBe("–");
  });

  it("names a threshold's bound when it is not a constant", () => {
    const m = metric({ id: "t", label: "t", value: 2604, format: "integer", better: "higher" });
    expect(formatThreshold({ op: ">=", value: 2586, label: "README median" }, m)).toBe(
      "≥ 2,586 (README median)",
    );
  });
});
