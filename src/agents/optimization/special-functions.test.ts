import { describe, expect, it } from "vitest";
import {
  betaCdf,
  betaQuantile,
  logGamma,
  normalCdf,
  studentTCdf,
  studentTQuantile,
} from "./special-functions.js";

describe("special functions on known values", () => {
  it("logGamma: Γ(5) = 24, Γ(1/2) = √π, Γ(0.1) = 9.513507698668732", () => {
    expect(logGamma(5)).toBeCloseTo(Math.log(24), 12);
    expect(logGamma(0.5)).toBeCloseTo(0.5 * Math.log(Math.PI), 12);
    expect(logGamma(0.1)).toBeCloseTo(Math.log(9.513507698668732), 12);
    expect(logGamma(171)).toBeCloseTo(706.5730622457874, 9); // ln(170!), Python math.lgamma(171)
  });

  it("betaCdf: I_0.3(2, 3) = 6·.3²·.7² + 4·.3³·.7 + .3⁴ = 0.3483", () => {
    expect(betaCdf(0.3, 2, 3)).toBeCloseTo(0.3483, 12);
    expect(betaCdf(0.7, 3, 2)).toBeCloseTo(1 - 0.3483, 12); // symmetry branch
    expect(betaCdf(0.25, 1, 1)).toBeCloseTo(0.25, 14);
  });

  it("betaQuantile inverts betaCdf, including steep low-rate posteriors", () => {
    for (const [p, a, b] of [
      [0.025, 101, 901],
      [0.975, 3, 5000],
      [0.5, 0.5, 0.5],
    ] as const) {
      expect(betaCdf(betaQuantile(p, a, b), a, b)).toBeCloseTo(p, 10);
    }
    // scipy.stats.beta(101, 901).ppf(0.025) = 0.0829364
    expect(betaQuantile(0.025, 101, 901)).toBeCloseTo(0.0829364, 7);
  });

  it("normalCdf: Φ(1.96) = 0.9750021, Φ(0) = 1/2", () => {
    expect(normalCdf(1.96)).toBeCloseTo(0.9750021, 6);
    expect(normalCdf(0)).toBeCloseTo(0.5, 7);
    expect(normalCdf(-3)).toBeCloseTo(0.0013499, 6);
  });

  it("Student t: Cauchy CDF at 1 is 3/4, t(0.975; 10) = 2.228139, t(0.95; 2) = 2.919986", () => {
    expect(studentTCdf(1, 1)).toBeCloseTo(0.75, 12);
    expect(studentTQuantile(0.975, 10)).toBeCloseTo(2.228139, 5);
    expect(studentTQuantile(0.95, 2)).toBeCloseTo(2.919986, 5);
  });
});
