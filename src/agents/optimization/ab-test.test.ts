import { describe, expect, it } from "vitest";
import { abTestReadout, projectedTrialsPerArm, twoProportionZTest } from "./ab-test.js";
import {
  compareByMonteCarlo,
  expectedLossExact,
  probabilityBeatsExact,
  probabilityBeatsNumeric,
} from "./beta-comparison.js";
import { OptimizationError } from "./errors.js";
import { mulberry32 } from "./random.js";
import { normalCdf } from "./special-functions.js";

// A: 100/1000, B: 120/1000 under Beta(1, 1) priors.
const postA = { alpha: 101, beta: 901 };
const postB = { alpha: 121, beta: 881 };
/** P(p_B > p_A), also obtained with scipy: quad(beta(121,881).pdf · beta(101,901).cdf) = 0.92318344. */
const P_B_BEATS_A = 0.9231834;

describe("probability that B beats A", () => {
  it("Beta(1,1) vs Beta(2,1) by hand: ∫ 2x · x dx = 2/3", () => {
    expect(probabilityBeatsExact({ alpha: 1, beta: 1 }, { alpha: 2, beta: 1 })).toBeCloseTo(2 / 3, 14);
  });

  it("100/1000 vs 120/1000 ≈ 0.923, two independent ways agreeing to 1e-8", () => {
    const exact = probabilityBeatsExact(postA, postB);
    const numeric = probabilityBeatsNumeric(postA, postB);
    expect(exact).toBeCloseTo(P_B_BEATS_A, 7);
    expect(Math.abs(exact - numeric)).toBeLessThan(1e-8);
    // Normal approximation: Φ(0.02 / sqrt(.1·.9/1000 + .12·.88/1000)) = Φ(1.430) = 0.924, close but cruder.
    expect(Math.abs(exact - normalCdf(0.02 / Math.sqrt(0.09 / 1000 + 0.1056 / 1000)))).toBeLessThan(0.002);
  });

  it("Monte Carlo agrees with the closed form within its standard error", () => {
    const mc = compareByMonteCarlo([postA, postB], 200_000, mulberry32(9));
    // SE = sqrt(.923 · .077 / 2e5) = 6e-4; allow 5 SE.
    expect(Math.abs(mc.probabilityBest[1]! - P_B_BEATS_A)).toBeLessThan(0.003);
  });

  it("uses the swapped identity when only A's alpha is an integer", () => {
    const a = { alpha: 3, beta: 4 };
    const b = { alpha: 2.5, beta: 3 };
    expect(probabilityBeatsExact(a, b)).toBeCloseTo(probabilityBeatsNumeric(a, b), 8);
  });
});

describe("expected loss", () => {
  it("Beta(1,1) vs Beta(2,1) by hand: loss(A) = ∫ b³ db = 1/4, loss(B) = B(2,3) = 1/12", () => {
    const loss = expectedLossExact({ alpha: 1, beta: 1 }, { alpha: 2, beta: 1 });
    expect(loss.chooseA).toBeCloseTo(1 / 4, 12);
    expect(loss.chooseB).toBeCloseTo(1 / 12, 12);
  });

  it("closed form matches Monte Carlo and satisfies loss(A) − loss(B) = E[p_B] − E[p_A]", () => {
    const loss = expectedLossExact(postA, postB);
    expect(loss.chooseA - loss.chooseB).toBeCloseTo(121 / 1002 - 101 / 1002, 12);
    const mc = compareByMonteCarlo([postA, postB], 200_000, mulberry32(10));
    expect(Math.abs(mc.expectedLoss[0]! - loss.chooseA)).toBeLessThan(1e-4);
    expect(Math.abs(mc.expectedLoss[1]! - loss.chooseB)).toBeLessThan(3e-5);
    // scipy Monte Carlo with 4e6 draws: 0.020452 and 0.000485.
    expect(loss.chooseA).toBeCloseTo(0.020445, 5);
    expect(loss.chooseB).toBeCloseTo(0.000485, 5);
  });
});

describe("twoProportionZTest", () => {
  it("100/1000 vs 120/1000: z = 0.02 / sqrt(.11·.89·.002) = 1.4293, two-sided p = 0.1529", () => {
    const t = twoProportionZTest(
      { id: "A", conversions: 100, trials: 1000 },
      { id: "B", conversions: 120, trials: 1000 },
    );
    expect(t.z).toBeCloseTo(1.4293, 4);
    expect(t.pValue).toBeCloseTo(0.15292, 4);
  });

  it("returns p = 1 when there is no variance to test", () => {
    expect(
      twoProportionZTest({ id: "A", conversions: 0, trials: 10 }, { id: "B", conversions: 0, trials: 10 })
        .pValue,
    ).toBe(1);
  });
});

describe("abTestReadout", () => {
  const ab = [
    { id: "A", conversions: 100, trials: 1000 },
    { id: "B", conversions: 120, trials: 1000 },
  ];

  it("reads out the two-arm case exactly and stops: B leads with expected loss below 0.1 pp", () => {
    const r = abTestReadout(ab);
    expect(r.method).toBe("exact");
    expect(r.leader).toBe("B");
    const [a, b] = r.variants;
    expect(b!.probabilityBest).toBeCloseTo(P_B_BEATS_A, 7);
    expect(a!.probabilityBest + b!.probabilityBest).toBeCloseTo(1, 12);
    expect(b!.posteriorMean).toBeCloseTo(121 / 1002, 12);
    // scipy.stats.beta(121, 881).ppf([.025, .975]) = [0.1013234, 0.1416270]
    expect(b!.credibleInterval.lower).toBeCloseTo(0.1013234, 6);
    expect(b!.credibleInterval.upper).toBeCloseTo(0.141627, 6);
    expect(r.decision).toMatchObject({
      stop: true,
      reason: "loss_below_threshold",
      additionalTrialsPerArm: 0,
    });
    expect(r.zTests[0]!.pValue).toBeCloseTo(0.15292, 4);
  });

  it("does not stop below the minimum sample, and says how many more trials", () => {
    const r = abTestReadout(ab, { minTrialsPerArm: 2500 });
    expect(r.decision.stop).toBe(false);
    expect(r.decision.reason).toBe("insufficient_sample");
    expect(r.decision.additionalTrialsPerArm).toBe(1500);
  });

  it("keeps testing two equal arms and projects n = 2p(1−p) / (ε√(2π))² per arm", () => {
    const r = abTestReadout([
      { id: "A", conversions: 100, trials: 1000 },
      { id: "B", conversions: 100, trials: 1000 },
    ]);
    expect(r.decision.stop).toBe(false);
    expect(r.decision.reason).toBe("loss_above_threshold");
    // With equal means the normal loss is σ·φ(0), σ² = 2p(1−p)/n, p = 101/1002:
    // n = 2 · 0.0906399 / (0.001² · 2π) = 28,852, so 27,852 more than the 1,000 already run.
    const p = 101 / 1002;
    const n = (2 * p * (1 - p)) / (0.001 ** 2 * 2 * Math.PI);
    expect(Math.abs(r.decision.additionalTrialsPerArm - (n - 1000))).toBeLessThan(2);
  });

  it("uses seeded Monte Carlo for three or more arms, deterministically", () => {
    const abc = [...ab, { id: "C", conversions: 60, trials: 1000 }];
    const r1 = abTestReadout(abc, { seed: 5 });
    const r2 = abTestReadout(abc, { seed: 5 });
    expect(r1).toEqual(r2);
    expect(r1.method).toBe("monte-carlo");
    const total = r1.variants.reduce((s, v) => s + v.probabilityBest, 0);
    expect(total).toBeCloseTo(1, 12);
    expect(r1.variants[2]!.probabilityBest).toBeLessThan(0.001);
    // C cannot move B's odds against A much: P(B best) ≈ P(B > A) = 0.923.
    expect(Math.abs(r1.variants[1]!.probabilityBest - P_B_BEATS_A)).toBeLessThan(0.005);
  });

  it("Monte Carlo and exact methods agree on two arms", () => {
    const exact = abTestReadout(ab, { method: "exact" });
    const mc = abTestReadout(ab, { method: "monte-carlo", draws: 200_000 });
    expect(Math.abs(exact.variants[1]!.probabilityBest - mc.variants[1]!.probabilityBest)).toBeLessThan(
      0.003,
    );
    expect(Math.abs(exact.variants[0]!.expectedLoss - mc.variants[0]!.expectedLoss)).toBeLessThan(1e-4);
  });

  it("rejects impossible counts and duplicate ids with a typed error", () => {
    const bad = () => abTestReadout([{ id: "A", conversions: 5, trials: 3 }, ab[1]!]);
    expect(bad).toThrow(OptimizationError);
    expect(bad).toThrow(/conversions cannot exceed trials/);
    expect(() => abTestReadout([ab[0]!, ab[0]!])).toThrow(/unique/);
    expect(() => abTestReadout(ab, { method: "exact", prior: { alpha: 0.5, beta: 0.5 } })).toThrow(/exact/);
  });
});

describe("projectedTrialsPerArm", () => {
  it("needs fewer trials when the gap is wider", () => {
    const narrow = projectedTrialsPerArm([{ posteriorMean: 0.1 }, { posteriorMean: 0.11 }], 1, 0.001);
    const wide = projectedTrialsPerArm([{ posteriorMean: 0.1 }, { posteriorMean: 0.13 }], 1, 0.001);
    expect(wide).toBeLessThan(narrow);
  });
});
