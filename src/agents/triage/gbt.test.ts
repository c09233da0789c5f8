import { describe, expect, it } from "vitest";
import type { EncodedMatrix } from "./features.js";
import { gbtMargin, trainGbt } from "./gbt.js";
import { logisticMargin, trainLogistic } from "./logistic.js";
import { rocAuc } from "./metrics.js";
import { seededRandom } from "./random.js";

/** y = (a > 0) XOR (b > 0), 10% of labels flipped; a third input is pure noise. */
function xorData(n: number, seed: number): { x: EncodedMatrix; y: number[] } {
  const random = seededRandom(seed);
  const data = new Float64Array(n * 3);
  const y: number[] = [];
  for (let r = 0; r < n; r++) {
    const a = random() * 2 - 1;
    const b = random() * 2 - 1;
    data.set([a, b, random()], r * 3);
    const label = a > 0 !== b > 0 ? 1 : 0;
    y.push(random() < 0.1 ? 1 - label : label);
  }
  return { x: { rows: n, cols: 3, data }, y };
}

function rowsOf(x: EncodedMatrix): Float64Array[] {
  return Array.from({ length: x.rows }, (_, r) => x.data.subarray(r * x.cols, (r + 1) * x.cols));
}

describe("trainGbt", () => {
  const train = xorData(2000, 1);
  const test = xorData(1000, 2);

  it("fits an XOR pattern that logistic regression cannot", () => {
    const gbt = trainGbt(train.x, train.y, { trees: 60, maxDepth: 2, learningRate: 0.2, seed: 5 });
    const linear = trainLogistic(train.x, train.y);
    const treeAuc = rocAuc(
      rowsOf(test.x).map((row) => gbtMargin(gbt, row)),
      test.y,
    );
    const linearAuc = rocAuc(
      rowsOf(test.x).map((row) => logisticMargin(linear, row)),
      test.y,
    );
    expect(treeAuc).toBeGreaterThan(0.85);
    expect(linearAuc).toBeLessThan(0.6);
  });

  it("is reproducible for a seed and varies with it", () => {
    const options = { trees: 10, maxDepth: 3, subsample: 0.7, colsample: 0.67 };
    const a = trainGbt(train.x, train.y, { ...options, seed: 9 });
    expect(trainGbt(train.x, train.y, { ...options, seed: 9 })).toEqual(a);
    expect(trainGbt(train.x, train.y, { ...options, seed: 10 })).not.toEqual(a);
  });

  it("respects the depth limit and starts from the log-odds of the base rate", () => {
    const gbt = trainGbt(train.x, train.y, { trees: 5, maxDepth: 1, seed: 1 });
    for (const tree of gbt.trees) expect(tree.feature.length).toBeLessThanOrEqual(3);
    const rate = train.y.reduce((s, v) => s + v, 0) / train.y.length;
    expect(gbt.baseMargin).toBeCloseTo(Math.log(rate / (1 - rate)), 5);
  });

  it("sends training rows down the same leaves through thresholds as training did through bins", () => {
    // Training routes rows by bin codes, scoring by the (rounded) thresholds. Without subsampling every
    // training row is counted in `cover`, so threshold routing must reproduce those counts exactly.
    const gbt = trainGbt(train.x, train.y, { trees: 20, maxDepth: 3, seed: 2, subsample: 1, colsample: 1 });
    for (const tree of gbt.trees) {
      const reached = new Array<number>(tree.feature.length).fill(0);
      for (const row of rowsOf(train.x)) {
        let node = 0;
        reached[node]!++;
        while (tree.feature[node]! >= 0) {
          node = row[tree.feature[node]!]! <= tree.threshold[node]! ? tree.left[node]! : tree.right[node]!;
          reached[node]!++;
        }
      }
      expect(reached).toEqual(tree.cover);
    }
  });
});
