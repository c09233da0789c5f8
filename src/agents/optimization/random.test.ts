import { describe, expect, it } from "vitest";
import { beta, deriveSeed, gamma, mulberry32, normal, randomInt } from "./random.js";

function moments(sample: (i: number) => number, n: number): { mean: number; variance: number } {
  let sum = 0;
  let sumSq = 0;
  for (let i = 0; i < n; i++) {
    const x = sample(i);
    sum += x;
    sumSq += x * x;
  }
  const mean = sum / n;
  return { mean, variance: sumSq / n - mean * mean };
}

const N = 200_000;

describe("mulberry32", () => {
  it("reproduces a sequence from a seed and differs across seeds", () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });

  it("is uniform on [0, 1): mean 1/2, variance 1/12, never 1", () => {
    const rng = mulberry32(1);
    let max = 0;
    const m = moments(() => {
      const x = rng();
      max = Math.max(max, x);
      return x;
    }, N);
    expect(max).toBeLessThan(1);
    expect(m.mean).toBeCloseTo(0.5, 2);
    expect(m.variance).toBeCloseTo(1 / 12, 3);
  });

  it("randomInt covers 0..n-1 evenly", () => {
    const rng = mulberry32(5);
    const counts = [0, 0, 0, 0];
    for (let i = 0; i < 40_000; i++) counts[randomInt(rng, 4)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });

  it("deriveSeed gives distinct streams for distinct inputs", () => {
    const seeds = new Set<number>();
    for (let s = 0; s < 50; s++) for (let stream = 0; stream < 4; stream++) seeds.add(deriveSeed(s, stream));
    expect(seeds.size).toBe(200);
  });
});

describe("normal", () => {
  it("has the requested mean and variance", () => {
    const rng = mulberry32(7);
    const m = moments(() => normal(rng, 3, 2), N);
    expect(m.mean).toBeCloseTo(3, 1);
    expect(Math.abs(m.variance - 4)).toBeLessThan(0.06);
  });
});

describe("gamma (Marsaglia–Tsang)", () => {
  it.each([0.3, 1, 3.7, 25])("shape %f, scale 2: mean kθ and variance kθ²", (shape) => {
    const rng = mulberry32(11);
    const m = moments(() => gamma(rng, shape, 2), N);
    // Relative standard errors at N = 2e5 are below 0.5% (mean) and 1.5% (variance, shape 0.3).
    expect(Math.abs(m.mean / (2 * shape) - 1)).toBeLessThan(0.02);
    expect(Math.abs(m.variance / (4 * shape) - 1)).toBeLessThan(0.05);
  });

  it("rejects non-positive parameters", () => {
    expect(() => gamma(mulberry32(1), 0)).toThrow(/shape/);
  });
});

describe("beta", () => {
  it.each([
    [2, 5],
    [0.5, 0.5],
    [101, 901],
  ])("Beta(%f, %f) has mean a/(a+b) and variance ab/((a+b)²(a+b+1))", (a, b) => {
    const rng = mulberry32(13);
    const m = moments(() => beta(rng, a, b), N);
    const mean = a / (a + b);
    const variance = (a * b) / ((a + b) ** 2 * (a + b + 1));
    expect(Math.abs(m.mean - mean)).toBeLessThan(4 * Math.sqrt(variance / N));
    expect(Math.abs(m.variance / variance - 1)).toBeLessThan(0.03);
  });

  it("stays in [0, 1] for shapes far below 1", () => {
    const rng = mulberry32(17);
    const xs = Array.from({ length: 10_000 }, () => beta(rng, 0.01, 0.02));
    expect(Math.min(...xs)).toBeGreaterThanOrEqual(0);
    expect(Math.max(...xs)).toBeLessThanOrEqual(1);
    expect(xs.some(Number.isNaN)).toBe(false);
  });
});
