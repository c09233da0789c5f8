import { OptimizationError } from "./errors.js";

/**
 * Seeded randomness for the optimization statistics. Every stochastic function in this folder takes an
 * `Rng` argument instead of calling `Math.random`, so a seed reproduces a readout, a test or a replay.
 */

/** A source of uniform numbers in [0, 1). */
export type Rng = () => number;

/**
 * mulberry32 (Tommy Ettinger, public domain): 32-bit state, period 2^32, passes gjrand/PractRand to a
 * few GB, which is ample for Monte Carlo readouts of a few hundred thousand draws.
 * https://gist.github.com/tommyettinger/46a874533244883189143505d203312c
 */
export function mulberry32(seed: number): Rng {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * Derives an independent-looking seed for stream `stream` of a base seed, so that e.g. replay seed 3 and
 * seed 4 do not produce shifted copies of one sequence (consecutive mulberry32 seeds are nearly
 * consecutive states). The mixer is the splitmix32/murmur3 finaliser.
 */
export function deriveSeed(seed: number, stream: number): number {
  let h = (seed ^ Math.imul(stream + 1, 0x9e3779b9)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A uniform integer in [0, n). */
export function randomInt(rng: Rng, n: number): number {
  return Math.floor(rng() * n);
}

/**
 * Normal(mean, sd) by the Marsaglia polar method. The second variate of each pair is discarded so the
 * function stays stateless; the cost is one extra rejection loop per call, negligible here.
 */
export function normal(rng: Rng, mean = 0, sd = 1): number {
  for (;;) {
    const u = 2 * rng() - 1;
    const v = 2 * rng() - 1;
    const s = u * u + v * v;
    if (s > 0 && s < 1) return mean + sd * u * Math.sqrt((-2 * Math.log(s)) / s);
  }
}

/**
 * Gamma(shape, scale) by Marsaglia & Tsang (2000), "A simple method for generating gamma variables",
 * ACM TOMS 26(3). For shape < 1 it samples Gamma(shape + 1) and multiplies by U^(1/shape), as the paper
 * suggests, because the squeeze needs shape ≥ 1.
 */
export function gamma(rng: Rng, shape: number, scale = 1): number {
  if (!(shape > 0) || !(scale > 0))
    throw new OptimizationError("invalid_input", `gamma needs shape, scale > 0, got ${shape}, ${scale}`);
  if (shape < 1) {
    const u = 1 - rng(); // in (0, 1]: avoids 0^(1/shape) collapsing a legitimate draw to exactly zero
    return gamma(rng, shape + 1, scale) * u ** (1 / shape);
  }
  const d = shape - 1 / 3;
  const c = 1 / Math.sqrt(9 * d);
  for (;;) {
    let x: number;
    let v: number;
    do {
      x = normal(rng);
      v = 1 + c * x;
    } while (v <= 0);
    v = v * v * v;
    const u = rng();
    if (u < 1 - 0.0331 * x * x * x * x) return d * v * scale;
    if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v * scale;
  }
}

/** Beta(a, b) as X / (X + Y) with X ~ Gamma(a), Y ~ Gamma(b). */
export function beta(rng: Rng, a: number, b: number): number {
  const x = gamma(rng, a);
  const y = gamma(rng, b);
  const sum = x + y;
  // With shapes far below 1 both gammas can underflow to 0; the limit distribution is then Bernoulli(a/(a+b)).
  if (sum === 0) return rng() < a / (a + b) ? 1 : 0;
  return x / sum;
}
