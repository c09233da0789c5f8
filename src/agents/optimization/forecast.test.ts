import { describe, expect, it } from "vitest";
import { OptimizationError } from "./errors.js";
import { betaBinomialPmf, forecastConversions, forecastDailyTrend } from "./forecast.js";

describe("betaBinomialPmf", () => {
  it("Beta(2, 3), n = 4 by hand: C(4,k)·B(k+2, 7−k)/B(2,3) = [30, 40, 36, 24, 10] / 140", () => {
    const expected = [30, 40, 36, 24, 10].map((x) => x / 140);
    for (const [k, p] of expected.entries()) expect(betaBinomialPmf(k, 4, 2, 3)).toBeCloseTo(p, 12);
  });
  it("Beta(1, 1), n = 2 is uniform on {0, 1, 2}", () => {
    for (const k of [0, 1, 2]) expect(betaBinomialPmf(k, 2, 1, 1)).toBeCloseTo(1 / 3, 12);
  });
});

describe("forecastConversions", () => {
  it("Beta(2, 3), 4 sends: mean 1.6, sd 1.2, 90% interval [0, 4], 50% interval [1, 2]", () => {
    // CDF = [30, 70, 106, 130, 140] / 140; variance 4·2·3·9 / (25·6) = 1.44.
    const f = forecastConversions({ alpha: 2, beta: 3 }, 4);
    expect(f.expected).toBeCloseTo(1.6, 12);
    expect(f.standardDeviation).toBeCloseTo(1.2, 12);
    expect(f.interval).toEqual({ lower: 0, upper: 4, mass: 0.9 });
    expect(forecastConversions({ alpha: 2, beta: 3 }, 4, { mass: 0.5 }).interval).toMatchObject({
      lower: 1,
      upper: 2,
    });
  });

  it("100/1000 observed, 10,000 sends: about 1,008 ± 1.645·99.7, wider than binomial noise alone", () => {
    const f = forecastConversions({ alpha: 101, beta: 901 }, 10_000);
    expect(f.expected).toBeCloseTo((10_000 * 101) / 1002, 9);
    // Var = n·a·b·(a+b+n) / ((a+b)²·(a+b+1)) = 9,942.3.
    expect(f.standardDeviation).toBeCloseTo(Math.sqrt(9942.25), 0);
    expect(Math.abs(f.interval.lower - (f.expected - 1.645 * f.standardDeviation))).toBeLessThan(6);
    expect(Math.abs(f.interval.upper - (f.expected + 1.645 * f.standardDeviation))).toBeLessThan(6);
    const binomialSd = Math.sqrt(10_000 * 0.1 * 0.9); // 30: the rate's uncertainty dominates here
    expect(f.interval.upper - f.interval.lower).toBeGreaterThan(2 * 1.645 * binomialSd * 3);
  });

  it("handles zero sends and large plans", () => {
    expect(forecastConversions({ alpha: 1, beta: 1 }, 0).interval).toMatchObject({ lower: 0, upper: 0 });
    const big = forecastConversions({ alpha: 5001, beta: 95_001 }, 2_000_000);
    expect(big.interval.lower).toBeLessThan(big.expected);
    expect(big.interval.upper).toBeGreaterThan(big.expected);
  });

  it("rejects fractional sends", () => {
    expect(() => forecastConversions({ alpha: 1, beta: 1 }, 2.5)).toThrow(OptimizationError);
  });
});

describe("forecastDailyTrend", () => {
  it("extends an exact line with a zero-width interval", () => {
    const f = forecastDailyTrend([10, 12, 14, 16], 2);
    expect(f.slope).toBeCloseTo(2, 12);
    expect(f.intercept).toBeCloseTo(10, 12);
    expect(f.daily[0]).toBeCloseTo(18, 12);
    expect(f.daily[1]).toBeCloseTo(20, 12);
    expect(f.expectedTotal).toBeCloseTo(38, 12);
    expect(f.interval.lower).toBeCloseTo(38, 9);
    expect(f.interval.upper).toBeCloseTo(38, 9);
  });

  it("[1, 3, 2, 4], one day ahead, by hand: 4.5 ± 2.919986·1.5", () => {
    // x̄ = 1.5, Sxx = 5, Sxy = 4: slope 0.8, intercept 1.3; SSE = 1.8, s² = 0.9;
    // Var = 0.9·(1 + 1/4 + 2.5²/5) = 2.25; t(0.95; 2) = 2.919986.
    const f = forecastDailyTrend([1, 3, 2, 4], 1);
    expect(f.slope).toBeCloseTo(0.8, 12);
    expect(f.intercept).toBeCloseTo(1.3, 12);
    expect(f.expectedTotal).toBeCloseTo(4.5, 12);
    expect(f.interval.lower).toBeCloseTo(4.5 - 2.919986 * 1.5, 5);
    expect(f.interval.upper).toBeCloseTo(4.5 + 2.919986 * 1.5, 5);
  });

  it("clamps a falling trend at zero", () => {
    const f = forecastDailyTrend([9, 6, 3, 0], 3);
    expect(f.daily).toEqual([0, 0, 0]);
    expect(f.interval.lower).toBe(0);
  });

  it("needs three days", () => {
    expect(() => forecastDailyTrend([1, 2], 1)).toThrow(/three days/);
  });
});
