import { describe, expect, it } from "vitest";
import { allocateBudget, largestRemainderRound, waterFill } from "./budget.js";
import { OptimizationError } from "./errors.js";

const sumCents = (amounts: readonly number[]) => amounts.reduce((s, a) => s + Math.round(a * 100), 0);

describe("largestRemainderRound", () => {
  it("hands missing units to the largest remainders", () => {
    expect(largestRemainderRound([33.3333, 33.3333, 33.3334], 100)).toEqual([33, 33, 34]);
  });
  it("breaks ties toward the lower index", () => {
    expect(largestRemainderRound([1.5, 1.5, 1], 4)).toEqual([2, 1, 1]);
  });
  it("skips entries at their cap", () => {
    expect(largestRemainderRound([1.5, 1.5, 1], 4, [1, 5, 5])).toEqual([1, 2, 1]);
  });
});

describe("waterFill", () => {
  it("is proportional to the weights when no bound binds except a floor", () => {
    // λ = 100: [70, 20, 10], the third sitting exactly on its floor.
    const x = waterFill([0.7, 0.2, 0.1], [10, 10, 10], [100, 100, 100], 100);
    for (const [i, v] of x.entries()) expect(v).toBeCloseTo([70, 20, 10][i]!, 6);
  });
  it("redistributes above a cap in proportion to the remaining weights", () => {
    // First capped at 50; 0.2λ + 0.1λ = 50 gives λ = 166.7, so [50, 33.33, 16.67].
    const x = waterFill([0.7, 0.2, 0.1], [10, 10, 10], [50, 100, 100], 100);
    for (const [i, v] of x.entries()) expect(v).toBeCloseTo([50, 100 / 3, 50 / 3][i]!, 6);
  });
  it("spreads over zero-weight entries when every weighted one is capped", () => {
    const x = waterFill([1, 0, 0], [0, 0, 0], [40, 100, 100], 100);
    for (const [i, v] of x.entries()) expect(v).toBeCloseTo([40, 30, 30][i]!, 6);
  });
});

describe("allocateBudget", () => {
  const channels = [
    { id: "email", alpha: 61, beta: 941, costPerImpression: 0.01 },
    { id: "search", alpha: 31, beta: 971, costPerImpression: 0.01 },
    { id: "social", alpha: 21, beta: 981, costPerImpression: 0.01 },
  ];

  it("sums exactly to the total in cents and follows P(best) above the floors", () => {
    const plan = allocateBudget(channels, { total: 1000.01, minShare: 0.05, seed: 3 });
    expect(sumCents(plan.allocations.map((a) => a.amount))).toBe(100_001);
    const [email, search, social] = plan.allocations;
    // email's rate (6%) is far above the others' (3%, 2%), so it is best in essentially every draw.
    expect(email!.probabilityBest).toBeGreaterThan(0.999);
    expect(search!.amount).toBeCloseTo(50, 1);
    expect(social!.amount).toBeCloseTo(50, 1);
    expect(email!.amount).toBeCloseTo(900.01, 1);
    expect(email!.expectedCostPerConversion).toBeCloseTo(0.01 / (61 / 1002), 10);
  });

  it("lets a cheap channel win with a lower rate: value is conversions per unit of money", () => {
    const plan = allocateBudget(
      [
        { id: "email", alpha: 61, beta: 941, costPerImpression: 0.01 },
        { id: "display", alpha: 21, beta: 981, costPerImpression: 0.001 },
      ],
      { total: 500, minShare: 0.1 },
    );
    // 2.1% per 0.001 = 21 conversions per unit; 6.1% per 0.01 = 6.1: display wins.
    expect(plan.allocations[1]!.amount).toBeCloseTo(450, 1);
    expect(plan.allocations[0]!.amount).toBeCloseTo(50, 1);
  });

  it("honours caps and splits near-equal channels by their probability", () => {
    const plan = allocateBudget(
      [
        { id: "a", alpha: 50, beta: 950, costPerImpression: 0.01, maxAmount: 300 },
        { id: "b", alpha: 50, beta: 950, costPerImpression: 0.01 },
        { id: "c", alpha: 50, beta: 950, costPerImpression: 0.01 },
      ],
      { total: 999.99, minShare: 0, seed: 7 },
    );
    expect(sumCents(plan.allocations.map((a) => a.amount))).toBe(99_999);
    const [a, b, c] = plan.allocations.map((x) => x.amount);
    expect(a).toBeLessThanOrEqual(300);
    expect(Math.abs(b! - c!)).toBeLessThan(40); // equal posteriors, Monte Carlo noise only
  });

  it("is deterministic for a seed", () => {
    expect(allocateBudget(channels, { total: 100, seed: 1 })).toEqual(
      allocateBudget(channels, { total: 100, seed: 1 }),
    );
  });

  it("refuses infeasible constraints and sub-cent totals with typed errors", () => {
    const capped = channels.map((c) => ({ ...c, maxAmount: 10 }));
    const err = (() => {
      try {
        allocateBudget(capped, { total: 100 });
      } catch (e) {
        return e;
      }
    })();
    expect(err).toBeInstanceOf(OptimizationError);
    expect((err as OptimizationError).code).toBe("infeasible");
    expect(() => allocateBudget(channels, { total: 100, minShare: 0.5 })).toThrow(/minimum share/);
    expect(() => allocateBudget(channels, { total: 10.005 })).toThrow(/cents/);
  });
});
