import { describe, expect, it } from "vitest";
import { OptimizationError } from "./errors.js";
import { recommendStrategy } from "./strategy.js";

describe("recommendStrategy", () => {
  it("declares the winner of a decided test, with the numbers behind it", () => {
    const { recommendations } = recommendStrategy({
      variants: [
        { id: "A", conversions: 100, trials: 1000 },
        { id: "B", conversions: 120, trials: 1000 },
      ],
    });
    expect(recommendations).toHaveLength(1);
    const [r] = recommendations;
    expect(r!.kind).toBe("declare_winner");
    expect(r!.action).toBe("declare B the winner");
    expect(r!.evidence.probabilityBest).toBeCloseTo(0.9231834, 6); // see ab-test.test.ts
    expect(r!.evidence.expectedLoss).toBeCloseTo(0.000485, 5);
    expect(r!.evidence.relativeLiftOverRunnerUp).toBeCloseTo(121 / 101 - 1, 10);
    expect(r!.reason).toContain("P(best)=0.923");
    expect(r!.reason).toContain("0.048 pp");
  });

  it("keeps testing a close race, pauses a hopeless third arm and forecasts the leader", () => {
    const { recommendations } = recommendStrategy({
      variants: [
        { id: "A", conversions: 100, trials: 1000 },
        { id: "B", conversions: 110, trials: 1000 },
        { id: "C", conversions: 50, trials: 1000 },
      ],
      plannedSends: 5000,
      seed: 3,
    });
    expect(recommendations.map((r) => r.kind)).toEqual(["keep_testing", "pause_variant", "forecast"]);
    const [keep, pause, forecast] = recommendations;
    expect(keep!.reason).toMatch(/need ~\d+ more trials per arm/);
    expect(keep!.evidence.additionalTrialsPerArm).toBeGreaterThan(0);
    expect(keep!.evidence.expectedLoss).toBeGreaterThan(0.001);
    expect(pause!.action).toBe("pause variant C");
    expect(pause!.evidence.probabilityBest).toBeLessThan(0.01);
    expect(forecast!.evidence.expected).toBeCloseTo((5000 * 111) / 1002, 6);
  });

  it("shifts budget toward the channel with the best conversions per unit of money", () => {
    const { recommendations } = recommendStrategy({
      channels: [
        { id: "email", alpha: 61, beta: 941, costPerImpression: 0.01, currentAmount: 500 },
        { id: "social", alpha: 21, beta: 981, costPerImpression: 0.01, currentAmount: 500 },
      ],
    });
    expect(recommendations).toHaveLength(1);
    const [shift] = recommendations;
    expect(shift!.action).toBe("shift budget to email");
    expect(shift!.evidence).toMatchObject({ currentAmount: 500, recommendedAmount: 950 });
    expect(shift!.reason).toContain("social (500.00 → 50.00)");
  });

  it("proposes a full allocation when nothing is being spent yet", () => {
    const { recommendations } = recommendStrategy({
      channels: [
        { id: "email", alpha: 61, beta: 941, costPerImpression: 0.01 },
        { id: "social", alpha: 21, beta: 981, costPerImpression: 0.01 },
      ],
      budget: 200,
    });
    expect(recommendations[0]!.kind).toBe("allocate_budget");
    expect(recommendations[0]!.evidence).toEqual({ email: 190, social: 10 });
  });

  it("is deterministic for a seed and validates its input", () => {
    const input = {
      variants: [
        { id: "A", conversions: 30, trials: 400 },
        { id: "B", conversions: 41, trials: 400 },
        { id: "C", conversions: 35, trials: 400 },
      ],
      seed: 11,
    };
    expect(recommendStrategy(input)).toEqual(recommendStrategy(input));
    expect(() => recommendStrategy({ variants: [{ id: "A", conversions: 1, trials: 0 }] })).toThrow(
      OptimizationError,
    );
  });
});
