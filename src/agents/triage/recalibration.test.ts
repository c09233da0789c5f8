import { describe, expect, it } from "vitest";
import { sigmoid } from "./logistic.js";
import { normalDraw, seededRandom } from "./random.js";
import { fitRecalibration, logit, recalibrate } from "./recalibration.js";

/** Model probabilities and outcomes drawn from a known true map p_true = σ(a·logit(p) + b). */
function synthetic(n: number, truth: { a: number; b: number }, seed: number) {
  const random = seededRandom(seed);
  const probabilities: number[] = [];
  const labels: number[] = [];
  for (let i = 0; i < n; i++) {
    const p = sigmoid(1.5 * normalDraw(random));
    probabilities.push(p);
    labels.push(random() < sigmoid(truth.a * logit(p) + truth.b) ? 1 : 0);
  }
  return { probabilities, labels };
}

const logLoss = (ps: readonly number[], ys: readonly number[]) =>
  ps.reduce((sum, p, i) => sum - (ys[i] === 1 ? Math.log(p) : Math.log(1 - p)), 0) / ps.length;

describe("fitRecalibration", () => {
  it("refuses empty or mismatched inputs and bad options", () => {
    expect(() => fitRecalibration([], [])).toThrow(/at least one/);
    expect(() => fitRecalibration([0.5], [1, 0])).toThrow(/one label per probability/);
    expect(() => fitRecalibration([0.5], [1], { priorWeight: 0 })).toThrow(/priorWeight/);
    expect(() => fitRecalibration([0.5], [1], { bandwidth: -1 })).toThrow(/bandwidth/);
  });

  it("approaches the tenant's true rates when the model is miscalibrated for it", () => {
    const { probabilities, labels } = synthetic(20_000, { a: 0.5, b: -1 }, 7);
    const fit = fitRecalibration(probabilities, labels);
    for (const p of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      expect(recalibrate(fit, p).probability).toBeCloseTo(sigmoid(0.5 * logit(p) - 1), 1);
    }
  });

  it("lowers held-out log loss when the model is miscalibrated for the tenant", () => {
    const train = synthetic(2_000, { a: 1.6, b: 0.8 }, 11);
    const test = synthetic(2_000, { a: 1.6, b: 0.8 }, 12);
    const fit = fitRecalibration(train.probabilities, train.labels);
    const recalibrated = test.probabilities.map((p) => recalibrate(fit, p).probability);
    expect(logLoss(recalibrated, test.labels)).toBeLessThan(logLoss(test.probabilities, test.labels) - 0.02);
  });

  it("barely moves a model that is already calibrated for the tenant", () => {
    const { probabilities, labels } = synthetic(5_000, { a: 1, b: 0 }, 3);
    const fit = fitRecalibration(probabilities, labels);
    for (const p of [0.1, 0.3, 0.5, 0.7, 0.9]) {
      expect(Math.abs(recalibrate(fit, p).probability - p)).toBeLessThan(0.05);
    }
  });

  it("lets a handful of outcomes move the score only part of the way (the model's number is a prior)", () => {
    // Five leads the model put at 10%, all converted: evidence, but not enough to call such leads certain.
    const fit = fitRecalibration([0.1, 0.1, 0.1, 0.1, 0.1], [1, 1, 1, 1, 1], {
      bandwidth: 0.5,
      priorWeight: 10,
    });
    const after = recalibrate(fit, 0.1);
    // Stored on a grid: a score between grid points sees the sums interpolated, within a few percent.
    expect(after.nearby).toBeGreaterThan(4.8);
    expect(after.nearby).toBeLessThanOrEqual(5);
    expect(after.probability).toBeCloseTo((10 * 0.1 + 5) / 15, 2);
  });

  it("moves only the scores near the outcomes: a segment's results do not bend every other lead", () => {
    // Forty leads the model scored at 2.5%, four in five converted.
    const probabilities = new Array<number>(40).fill(0.025);
    const labels = probabilities.map((_, i) => (i % 5 === 0 ? 0 : 1));
    const fit = fitRecalibration(probabilities, labels, { bandwidth: 0.5, priorWeight: 10 });
    expect(recalibrate(fit, 0.025).probability).toBeCloseTo((10 * 0.025 + 32) / 50, 2);
    expect(recalibrate(fit, 0.9).probability).toBeCloseTo(0.9, 6);
    expect(recalibrate(fit, 0.9).nearby).toBe(0);
  });

  it("interpolates smoothly between grid points", () => {
    const fit = fitRecalibration([0.2, 0.25, 0.3], [1, 0, 1]);
    let previous = recalibrate(fit, 0.2).probability;
    for (let p = 0.201; p < 0.3; p += 0.001) {
      const next = recalibrate(fit, p).probability;
      expect(Math.abs(next - previous)).toBeLessThan(0.01);
      previous = next;
    }
  });
});
