import { describe, expect, it } from "vitest";
import { TriageError } from "./errors.js";
import {
  averagePrecision,
  brierScore,
  calibrationBins,
  expectedCalibrationError,
  liftAtTop,
  logLoss,
  rocAuc,
  rocCurve,
} from "./metrics.js";

// The scikit-learn documentation's example: roc_auc_score → 0.75, average_precision_score → 0.8333….
const scores = [0.1, 0.4, 0.35, 0.8];
const labels = [0, 0, 1, 1];

describe("rocAuc", () => {
  it("matches the textbook example", () => {
    expect(rocAuc(scores, labels)).toBeCloseTo(0.75, 12);
  });

  it("counts a tie between a positive and a negative as one half", () => {
    // Pairs (pos, neg): (1, .5) 1, (1, 0) 1, (.5, .5) ½, (.5, 0) 1 → 3.5 / 4.
    expect(rocAuc([1, 0.5, 0.5, 0], [1, 1, 0, 0])).toBeCloseTo(0.875, 12);
    expect(rocAuc([0.5, 0.5, 0.5, 0.5], [0, 1, 0, 1])).toBeCloseTo(0.5, 12);
  });

  it("is 1 for a perfect ranking and 0 for a reversed one", () => {
    expect(rocAuc([0.9, 0.8, 0.2], [1, 1, 0])).toBe(1);
    expect(rocAuc([0.1, 0.2, 0.8], [1, 1, 0])).toBe(0);
  });

  it("refuses labels of one class", () => {
    expect(() => rocAuc([0.1, 0.2], [1, 1])).toThrow(TriageError);
  });
});

describe("averagePrecision", () => {
  it("matches the textbook example", () => {
    // Thresholds .8 (R .5, P 1), .4 (R .5), .35 (R 1, P 2/3): .5·1 + .5·2/3.
    expect(averagePrecision(scores, labels)).toBeCloseTo(0.5 + 1 / 3, 12);
  });

  it("takes a group of tied scores as one threshold", () => {
    // Thresholds 1 (R .5, P 1) and .5 (R 1, P 2/3): same answer as above, the tie cannot help or hurt.
    expect(averagePrecision([1, 0.5, 0.5, 0], [1, 1, 0, 0])).toBeCloseTo(0.5 + 1 / 3, 12);
  });
});

describe("brierScore and logLoss", () => {
  it("compute the hand-worked values", () => {
    expect(brierScore([0.9, 0.2], [1, 0])).toBeCloseTo((0.01 + 0.04) / 2, 12);
    expect(logLoss([0.9, 0.2], [1, 0])).toBeCloseTo(-(Math.log(0.9) + Math.log(0.8)) / 2, 12);
  });

  it("keeps log loss finite for a confident mistake", () => {
    expect(Number.isFinite(logLoss([1, 0], [0, 1]))).toBe(true);
  });

  it("rejects mismatched lengths", () => {
    expect(() => brierScore([0.5], [1, 0])).toThrow(/differ in length/);
  });
});

describe("calibrationBins", () => {
  it("bins by predicted probability and reports observed rates, leaving out empty bins", () => {
    const bins = calibrationBins([0.05, 0.15, 0.12, 1], [0, 1, 0, 1], 10);
    expect(bins).toHaveLength(3);
    expect(bins[0]).toMatchObject({ lower: 0, upper: 0.1, count: 1, observedRate: 0 });
    expect(bins[0]!.meanPredicted).toBeCloseTo(0.05, 12);
    expect(bins[1]).toMatchObject({ count: 2, observedRate: 0.5 });
    expect(bins[1]!.meanPredicted).toBeCloseTo(0.135, 12);
    expect(bins[2]).toMatchObject({ lower: 0.9, upper: 1, count: 1, meanPredicted: 1, observedRate: 1 });
    // |.05 − 0|·1 + |.135 − .5|·2 + 0 over 4 leads.
    expect(expectedCalibrationError(bins)).toBeCloseTo((0.05 + 0.73) / 4, 12);
  });
});

describe("liftAtTop", () => {
  it("divides the top decile's positive rate by the base rate", () => {
    const ranked = Array.from({ length: 10 }, (_, i) => 10 - i);
    const truth = [1, 0, 0, 1, 0, 0, 1, 0, 0, 0];
    expect(liftAtTop(ranked, truth)).toBeCloseTo(1 / 0.3, 12);
  });

  it("counts a tie straddling the cut pro rata", () => {
    // 20 leads, budget 2; the top four tie with 2 positives among them: 1 expected positive in the top 2.
    const tied = [...Array(4).fill(0.9), ...Array(16).fill(0.1)];
    const truth = [1, 1, 0, 0, 1, 1, 1, ...Array(13).fill(0)];
    expect(liftAtTop(tied, truth)).toBeCloseTo(0.5 / 0.25, 12);
  });
});

describe("rocCurve", () => {
  it("walks the distinct thresholds from (0, 0) to (1, 1)", () => {
    expect(rocCurve(scores, labels)).toEqual([
      { threshold: null, fpr: 0, tpr: 0 },
      { threshold: 0.8, fpr: 0, tpr: 0.5 },
      { threshold: 0.4, fpr: 0.5, tpr: 0.5 },
      { threshold: 0.35, fpr: 0.5, tpr: 1 },
      { threshold: 0.1, fpr: 1, tpr: 1 },
    ]);
  });
});
