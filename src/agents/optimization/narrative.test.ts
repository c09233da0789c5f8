import { describe, expect, it } from "vitest";
import { groundNumbers, offlineNarrative, ungroundedNumbers } from "./narrative.js";

describe("narrative number check", () => {
  const given = groundNumbers({ probabilityBest: 0.9731, rate: 0.0602, sends: 1200, reason: "95% credible" });

  it("accepts numbers as given, rounded as printed, or fractions shown as percentages", () => {
    expect(
      ungroundedNumbers("P(best) is 0.97 and B converts at 6.02% over 1,200 sends (95% credible).", given),
    ).toEqual([]);
    expect(ungroundedNumbers("B wins with 97.3% probability, about 6% conversion.", given)).toEqual([]);
  });

  it("names every number the input does not explain", () => {
    expect(ungroundedNumbers("B lifts revenue by 40% and saves 3 days.", given)).toEqual(["40", "3"]);
    expect(ungroundedNumbers("P(best) is 0.91.", given)).toEqual(["0.91"]);
  });

  it("falls back to the recommendations' own sentences offline", () => {
    expect(offlineNarrative([])).toMatch(/Nothing to recommend/);
    expect(
      offlineNarrative([
        { kind: "keep_testing", action: "keep testing", reason: "Too early.", evidence: {} },
      ]),
    ).toBe("Keep testing: Too early.");
  });
});
