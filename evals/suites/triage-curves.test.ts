import { describe, expect, it } from "vitest";
import { liftAtTop } from "../../src/agents/triage/metrics.js";
import { seededRandom } from "../../src/agents/triage/random.js";
import { decileTable, decimate, gainsCurve, percentile } from "./triage-curves.js";

describe("gainsCurve", () => {
  it("captures conversions best-first on a hand-checked case", () => {
    // Scores 4 > 3 > 2 > 1 with labels 1, 0, 1, 0: half the conversions in the first quarter.
    const curve = gainsCurve([4, 3, 2, 1], [1, 0, 1, 0], 4);
    expect(curve).toEqual([
      { x: 0, y: 0 },
      { x: 0.25, y: 0.5 },
      { x: 0.5, y: 0.5 },
      { x: 0.75, y: 1 },
      { x: 1, y: 1 },
    ]);
  });

  it("splits a tie group pro rata, so the order of equal scores cannot matter", () => {
    const curve = gainsCurve([1, 1, 1, 1], [1, 1, 0, 0], 4);
    expect(curve.map((p) => p.y)).toEqual([0, 0.25, 0.5, 0.75, 1]);
  });
});

describe("decileTable", () => {
  const random = seededRandom(3);
  const scores = Array.from({ length: 1000 }, () => random());
  const labels: number[] = scores.map((s) => (random() < s ? 1 : 0));
  const table = decileTable(scores, labels);

  it("has ten deciles whose conversions add up and whose capture ends at 100%", () => {
    expect(table).toHaveLength(10);
    const total = labels.reduce((a, b) => a + b, 0);
    expect(table.reduce((s, r) => s + r.conversions, 0)).toBeCloseTo(total, 9);
    expect(table.at(-1)!.cumulativeCapture).toBeCloseTo(1, 12);
  });

  it("agrees with the model's own top-decile lift", () => {
    expect(table[0]!.lift).toBeCloseTo(liftAtTop(scores, labels, 0.1), 9);
  });
});

describe("decimate and percentile", () => {
  it("keeps first and last and at most max points", () => {
    const points = Array.from({ length: 1001 }, (_, i) => i);
    const kept = decimate(points, 300);
    expect(kept.length).toBeLessThanOrEqual(300);
    expect(kept[0]).toBe(0);
    expect(kept.at(-1)).toBe(1000);
    expect(decimate([1, 2], 300)).toEqual([1, 2]);
  });

  it("interpolates between order statistics", () => {
    expect(percentile([1, 2, 3, 4], 50)).toBe(2.5);
    expect(percentile([10, 0, 5], 95)).toBeCloseTo(9.5, 12);
    expect(percentile([], 50)).toBeNaN();
  });
});
