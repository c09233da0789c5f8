import { describe, expect, it } from "vitest";
import {
  allocationProbabilities,
  type BetaArm,
  betaArm,
  type CountArm,
  countArm,
  discountBetaArms,
  epsilonGreedyChoose,
  README_UCB_C,
  replaceArm,
  thompsonChoose,
  UCB1_C,
  ucbChoose,
  updateBetaArm,
  updateCountArm,
} from "./bandit.js";
import { probabilityBeatsExact } from "./beta-comparison.js";
import { OptimizationError } from "./errors.js";
import { deriveSeed, mulberry32, type Rng, randomInt } from "./random.js";

type Policy = "thompson" | "ucb1" | "ucb-readme" | "epsilon-greedy" | "random";

/** Plays a seeded Bernoulli bandit; returns pseudo-regret Σ(p* − p_chosen) and late pulls of the best arm. */
function simulate(policy: Policy, rates: readonly number[], rounds: number, seed: number) {
  const rng: Rng = mulberry32(deriveSeed(seed, 1));
  const environment: Rng = mulberry32(deriveSeed(seed, 2));
  const best = rates.indexOf(Math.max(...rates));
  let betaArms: BetaArm[] = rates.map((_, i) => betaArm(`arm${i}`));
  let countArms: CountArm[] = rates.map((_, i) => countArm(`arm${i}`));
  let regret = 0;
  let latePullsOfBest = 0;
  const lateFrom = rounds - 1000;
  for (let t = 0; t < rounds; t++) {
    const arm =
      policy === "thompson"
        ? thompsonChoose(betaArms, rng)
        : policy === "ucb1"
          ? ucbChoose(countArms, UCB1_C)
          : policy === "ucb-readme"
            ? ucbChoose(countArms, README_UCB_C)
            : policy === "epsilon-greedy"
              ? epsilonGreedyChoose(countArms, 0.1, rng)
              : randomInt(rng, rates.length);
    const reward = environment() < rates[arm]! ? 1 : 0;
    regret += rates[best]! - rates[arm]!;
    if (t >= lateFrom && arm === best) latePullsOfBest += 1;
    betaArms = replaceArm(betaArms, arm, updateBetaArm(betaArms[arm]!, reward));
    countArms = replaceArm(countArms, arm, updateCountArm(countArms[arm]!, reward));
  }
  return { regret, lateShare: latePullsOfBest / 1000 };
}

describe("policies on a seeded 3-arm Bernoulli problem (p = 0.05, 0.10, 0.15; 5,000 rounds)", () => {
  const rates = [0.05, 0.1, 0.15];
  it.each([1, 2, 3, 4, 5])("seed %i: Thompson settles on the best arm and has the least regret", (seed) => {
    const thompson = simulate("thompson", rates, 5000, seed);
    expect(thompson.lateShare).toBeGreaterThan(0.8);
    expect(thompson.regret).toBeLessThan(simulate("ucb1", rates, 5000, seed).regret);
    expect(thompson.regret).toBeLessThan(simulate("ucb-readme", rates, 5000, seed).regret);
    expect(thompson.regret).toBeLessThan(simulate("random", rates, 5000, seed).regret);
  });

  it("Thompson beats epsilon-greedy (ε = 0.1) on total regret over the five seeds", () => {
    // Per seed the two are close (ε-greedy pays a flat ~0.1 · 0.075 per round), so compare totals.
    const total = (policy: Policy) =>
      [1, 2, 3, 4, 5].reduce((s, seed) => s + simulate(policy, rates, 5000, seed).regret, 0);
    expect(total("thompson")).toBeLessThan(total("epsilon-greedy"));
  });

  it("random pays about the average gap every round (sanity check of the simulator)", () => {
    // E[regret] = 5000 · (0.15 − 0.10) = 250.
    expect(Math.abs(simulate("random", rates, 5000, 9).regret - 250)).toBeLessThan(15);
  });
});

describe("ucbChoose", () => {
  it("plays never-pulled arms first, in order", () => {
    expect(ucbChoose([countArm("a"), countArm("b")])).toBe(0);
    expect(ucbChoose([{ id: "a", pulls: 3, rewardSum: 3 }, countArm("b")])).toBe(1);
  });

  it("computes the index by hand: t = 13, c = 2", () => {
    // a: 0.5 + sqrt(2 ln 13 / 10) = 1.216; b: 0 + sqrt(2 ln 13 / 2) = 1.601.
    const arms = [
      { id: "a", pulls: 10, rewardSum: 5 },
      { id: "b", pulls: 2, rewardSum: 0 },
    ];
    expect(ucbChoose(arms, 2)).toBe(1);
    // With c = 0.5: a = 0.5 + 0.358 = 0.858, b = 0.801, so the greedy side wins.
    expect(ucbChoose(arms, 0.5)).toBe(0);
  });
});

describe("epsilonGreedyChoose", () => {
  const arms = [
    { id: "a", pulls: 10, rewardSum: 1 },
    { id: "b", pulls: 10, rewardSum: 4 },
    { id: "c", pulls: 10, rewardSum: 2 },
  ];
  it("exploits the best mean when epsilon is 0", () => {
    expect(epsilonGreedyChoose(arms, 0, mulberry32(1))).toBe(1);
  });
  it("explores uniformly when epsilon is 1", () => {
    const rng = mulberry32(2);
    const counts = [0, 0, 0];
    for (let i = 0; i < 30_000; i++) counts[epsilonGreedyChoose(arms, 1, rng)]! += 1;
    for (const c of counts) expect(Math.abs(c - 10_000)).toBeLessThan(400);
  });
  it("rejects an epsilon outside [0, 1]", () => {
    expect(() => epsilonGreedyChoose(arms, 1.5, mulberry32(1))).toThrow(OptimizationError);
  });
});

describe("allocationProbabilities", () => {
  it("agrees with the exact two-arm probability", () => {
    const a = { id: "A", alpha: 101, beta: 901 };
    const b = { id: "B", alpha: 121, beta: 881 };
    const [pA, pB] = allocationProbabilities([a, b], 100_000, mulberry32(3));
    const exact = probabilityBeatsExact(a, b); // 0.92318, see ab-test.test.ts
    expect(Math.abs(pB! - exact)).toBeLessThan(0.005); // 5 Monte Carlo standard errors
    expect(pA! + pB!).toBeCloseTo(1, 12);
  });

  it("splits evenly between identical arms and starves a hopeless one", () => {
    const arms = [
      { id: "a", alpha: 50, beta: 450 },
      { id: "b", alpha: 50, beta: 450 },
      { id: "c", alpha: 5, beta: 495 },
    ];
    const [pa, pb, pc] = allocationProbabilities(arms, 50_000, mulberry32(4));
    expect(Math.abs(pa! - 0.5)).toBeLessThan(0.01);
    expect(Math.abs(pb! - 0.5)).toBeLessThan(0.01);
    expect(pc).toBe(0);
  });
});

describe("arm updates", () => {
  it("adds a success to alpha and a failure to beta", () => {
    expect(updateBetaArm(betaArm("x"), 1)).toEqual({ id: "x", alpha: 2, beta: 1 });
    expect(updateBetaArm(betaArm("x"), 0)).toEqual({ id: "x", alpha: 1, beta: 2 });
    expect(updateCountArm(countArm("x"), 1)).toEqual({ id: "x", pulls: 1, rewardSum: 1 });
  });

  it("rejects rewards outside [0, 1]", () => {
    expect(() => updateBetaArm(betaArm("x"), 2)).toThrow(/reward/);
  });

  it("discounting moves evidence back toward the prior", () => {
    // alpha: 1 + 0.9 · (11 − 1) = 10; beta: 1 + 0.9 · (91 − 1) = 82.
    expect(discountBetaArms([{ id: "x", alpha: 11, beta: 91 }], 0.9)).toEqual([
      { id: "x", alpha: 10, beta: 82 },
    ]);
  });

  it("discounted Thompson sampling follows a switch that the stationary one is slow to notice", () => {
    // Arm 0 pays 0.2 then 0.05 after round 2,000; arm 1 pays 0.1 throughout.
    const run = (discount: number) => {
      const rng = mulberry32(21);
      const environment = mulberry32(1021);
      let arms: BetaArm[] = [betaArm("a"), betaArm("b")];
      let latePullsOfB = 0;
      for (let t = 0; t < 4000; t++) {
        const rates = t < 2000 ? [0.2, 0.1] : [0.05, 0.1];
        arms = discountBetaArms(arms, discount);
        const arm = thompsonChoose(arms, rng);
        if (t >= 2500 && arm === 1) latePullsOfB += 1;
        arms = replaceArm(arms, arm, updateBetaArm(arms[arm]!, environment() < rates[arm]! ? 1 : 0));
      }
      return latePullsOfB / 1500;
    };
    // Measured over seeds 21–25: stationary 0.00–0.16 of late pulls on b, discount 0.995 0.70–0.82.
    const stationary = run(1);
    const discounted = run(0.995);
    expect(stationary).toBeLessThan(0.3);
    expect(discounted).toBeGreaterThan(0.6);
  });
});
