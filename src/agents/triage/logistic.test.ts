import { describe, expect, it } from "vitest";
import type { EncodedMatrix } from "./features.js";
import {
  choleskySolve,
  logisticBaseline,
  logisticContributions,
  logisticMargin,
  sigmoid,
  trainLogistic,
} from "./logistic.js";
import { normalDraw, seededRandom } from "./random.js";

/** Two standard-normal inputs and a one-hot flag; labels drawn from the known model. */
function syntheticData(n: number, seed: number): { x: EncodedMatrix; y: number[] } {
  const random = seededRandom(seed);
  const data = new Float64Array(n * 3);
  const y: number[] = [];
  for (let r = 0; r < n; r++) {
    const a = normalDraw(random);
    const b = normalDraw(random);
    const flag = random() < 0.3 ? 1 : 0;
    data.set([a, b, flag], r * 3);
    y.push(random() < sigmoid(-0.5 + 2 * a - 1 * b + 1.5 * flag) ? 1 : 0);
  }
  return { x: { rows: n, cols: 3, data }, y };
}

describe("trainLogistic", () => {
  it("recovers the sign and size of known coefficients", () => {
    const { x, y } = syntheticData(6000, 7);
    const params = trainLogistic(x, y, { l2: 1e-6 });
    expect(params.intercept).toBeCloseTo(-0.5, 0);
    expect(params.weights[0]).toBeGreaterThan(1.8);
    expect(params.weights[0]).toBeLessThan(2.2);
    expect(params.weights[1]).toBeGreaterThan(-1.15);
    expect(params.weights[1]).toBeLessThan(-0.85);
    expect(params.weights[2]).toBeGreaterThan(1.3);
    expect(params.weights[2]).toBeLessThan(1.7);
  });

  it("shrinks towards zero as the penalty grows, and is deterministic", () => {
    const { x, y } = syntheticData(2000, 11);
    const light = trainLogistic(x, y, { l2: 0.01 });
    const heavy = trainLogistic(x, y, { l2: 500 });
    expect(Math.abs(heavy.weights[0]!)).toBeLessThan(Math.abs(light.weights[0]!) / 2);
    expect(trainLogistic(x, y, { l2: 0.01 })).toEqual(light);
  });

  it("explains a margin as contributions relative to the training means", () => {
    const { x, y } = syntheticData(1000, 3);
    const params = trainLogistic(x, y);
    const row = [1.5, -0.5, 1];
    const contributions = logisticContributions(params, row);
    const sum = contributions.reduce((a, b) => a + b, 0);
    expect(sum + logisticBaseline(params)).toBeCloseTo(logisticMargin(params, row), 10);
    expect(contributions[0]).toBeGreaterThan(0);
    expect(contributions[1]).toBeGreaterThan(0);
  });
});

describe("choleskySolve", () => {
  it("solves a small SPD system and rejects an indefinite one", () => {
    const solution = choleskySolve(Float64Array.from([4, 2, 2, 3]), Float64Array.from([2, 5]), 2);
    expect(Array.from(solution!).map((v) => Number(v.toFixed(12)))).toEqual([-0.5, 2]);
    expect(choleskySolve(Float64Array.from([1, 2, 2, 1]), Float64Array.from([1, 1]), 2)).toBeNull();
  });
});
