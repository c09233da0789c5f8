import { describe, expect, it } from "vitest";
import { calibrate, fitIsotonic, fitPlatt } from "./calibration.js";
import { sigmoid } from "./logistic.js";
import { brierScore } from "./metrics.js";
import { normalDraw, seededRandom } from "./random.js";

/** True log-odds z; the "model" reports 3z + 1: overconfident and biased upwards. */
function miscalibrated(n: number, seed: number): { margins: number[]; labels: number[] } {
  const random = seededRandom(seed);
  const margins: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const z = normalDraw(random) - 0.3;
    margins.push(3 * z + 1);
    labels.push(random() < sigmoid(z) ? 1 : 0);
  }
  return { margins, labels };
}

describe("calibration", () => {
  const fit = miscalibrated(3000, 1);
  const test = miscalibrated(3000, 2);
  const raw = brierScore(test.margins.map(sigmoid), test.labels);

  it("Platt scaling recovers the distortion and improves Brier on fresh data", () => {
    const platt = fitPlatt(fit.margins, fit.labels);
    if (platt.method !== "platt") throw new Error("expected Platt parameters");
    // p = σ(z) = σ((m − 1)/3): a ≈ 1/3, b ≈ −1/3.
    expect(Math.abs(platt.a - 1 / 3)).toBeLessThan(0.05);
    expect(Math.abs(platt.b + 1 / 3)).toBeLessThan(0.1);
    const calibrated = brierScore(
      test.margins.map((m) => calibrate(platt, m)),
      test.labels,
    );
    expect(calibrated).toBeLessThan(raw - 0.01);
  });

  it("isotonic regression is monotone and improves Brier on fresh data", () => {
    const isotonic = fitIsotonic(fit.margins, fit.labels);
    const grid = Array.from({ length: 41 }, (_, i) => -10 + i / 2);
    const curve = grid.map((m) => calibrate(isotonic, m));
    for (let i = 1; i < curve.length; i++) expect(curve[i]!).toBeGreaterThanOrEqual(curve[i - 1]!);
    expect(Math.min(...curve)).toBeGreaterThan(0);
    expect(Math.max(...curve)).toBeLessThan(1);
    const calibrated = brierScore(
      test.margins.map((m) => calibrate(isotonic, m)),
      test.labels,
    );
    expect(calibrated).toBeLessThan(raw - 0.01);
  });

  it("pools violators into their mean", () => {
    // Labels 0, 1, 0, 1 at margins 1..4 pool the middle pair: steps 0, ½, ½, 1 (kept off 0 and 1).
    const isotonic = fitIsotonic([1, 2, 3, 4], [0, 1, 0, 1]);
    expect([1, 2.5, 3, 4].map((m) => calibrate(isotonic, m))).toEqual([0.001, 0.5, 0.5, 0.999]);
  });
});
