import { describe, expect, it } from "vitest";
import type { EncodedMatrix } from "./features.js";
import { type GbtParams, type GbtTree, gbtMargin, trainGbt } from "./gbt.js";
import { seededRandom } from "./random.js";
import { addTreeShap, gbtContributions, gbtExpectedMargin, treeExpectation } from "./tree-shap.js";

/** E[f(x) | the features in `known`], unknown splits averaged by cover: the game TreeSHAP solves. */
function conditionalExpectation(
  tree: GbtTree,
  x: readonly number[],
  known: ReadonlySet<number>,
  node = 0,
): number {
  const feature = tree.feature[node]!;
  if (feature < 0) return tree.value[node]!;
  const left = tree.left[node]!;
  const right = tree.right[node]!;
  if (known.has(feature)) {
    return conditionalExpectation(tree, x, known, x[feature]! <= tree.threshold[node]! ? left : right);
  }
  return (
    (tree.cover[left]! * conditionalExpectation(tree, x, known, left) +
      tree.cover[right]! * conditionalExpectation(tree, x, known, right)) /
    tree.cover[node]!
  );
}

/** Shapley values by enumerating every coalition: exponential, fine for three features. */
function bruteForceShapley(tree: GbtTree, x: readonly number[], features: number): number[] {
  const factorial = (n: number): number => (n <= 1 ? 1 : n * factorial(n - 1));
  const phi = new Array<number>(features).fill(0);
  for (let i = 0; i < features; i++) {
    for (let mask = 0; mask < 1 << features; mask++) {
      if (mask & (1 << i)) continue;
      const coalition = new Set<number>();
      for (let j = 0; j < features; j++) if (mask & (1 << j)) coalition.add(j);
      const weight =
        (factorial(coalition.size) * factorial(features - coalition.size - 1)) / factorial(features);
      const withI = new Set(coalition).add(i);
      phi[i]! +=
        weight * (conditionalExpectation(tree, x, withI) - conditionalExpectation(tree, x, coalition));
    }
  }
  return phi;
}

// Splits on feature 0 twice along one path, which exercises the unwind step.
const tree: GbtTree = {
  feature: [0, 1, 0, -1, -1, 2, -1, -1, -1],
  threshold: [0.5, 0.3, 0.8, 0, 0, 0.1, 0, 0, 0],
  left: [1, 3, 5, -1, -1, 7, -1, -1, -1],
  right: [2, 4, 6, -1, -1, 8, -1, -1, -1],
  value: [0, 0, 0, 1.5, -2, 0, 4, 0.25, -1],
  cover: [100, 60, 40, 45, 15, 25, 15, 10, 15],
};

describe("TreeSHAP", () => {
  it("matches brute-force Shapley values, including a feature split on twice", () => {
    for (const x of [
      [0.9, 0.2, 0.05],
      [0.6, 0.9, 0.5],
      [0.1, 0.1, 0.9],
      [0.7, 0.4, 0.0],
    ]) {
      const phi = new Float64Array(3);
      addTreeShap(tree, x, phi);
      const expected = bruteForceShapley(tree, x, 3);
      phi.forEach((value, i) => {
        expect(value).toBeCloseTo(expected[i]!, 10);
      });
    }
  });

  it("adds up to the margin minus the expected margin on a trained model", () => {
    const random = seededRandom(4);
    const n = 800;
    const data = new Float64Array(n * 4);
    const y: number[] = [];
    for (let r = 0; r < n; r++) {
      const row = [random(), random(), random() < 0.5 ? 1 : 0, random()];
      data.set(row, r * 4);
      y.push(random() < (row[0]! > 0.5 ? 0.8 : 0.2) * (row[2] ? 1 : 0.6) ? 1 : 0);
    }
    const x: EncodedMatrix = { rows: n, cols: 4, data };
    const params: GbtParams = trainGbt(x, y, { trees: 40, maxDepth: 4, seed: 3 });
    for (let r = 0; r < 20; r++) {
      const row = data.subarray(r * 4, r * 4 + 4);
      const phi = gbtContributions(params, row, 4);
      const total = phi.reduce((a, b) => a + b, 0);
      expect(total + gbtExpectedMargin(params)).toBeCloseTo(gbtMargin(params, row), 9);
    }
  });

  it("computes a tree's expectation from cover", () => {
    expect(treeExpectation(tree)).toBeCloseTo((45 * 1.5 - 15 * 2 + 15 * 4 + 10 * 0.25 - 15) / 100, 12);
  });
});
