import { describe, expect, it } from "vitest";
import { windowRates } from "./adaptive-replay.js";

describe("windowRates", () => {
  it("averages each window, the last one over what is left", () => {
    expect(windowRates([1, 0, 1, 1, 0], 2)).toEqual([
      { round: 2, rate: 0.5 },
      { round: 4, rate: 1 },
      { round: 5, rate: 0 },
    ]);
    expect(windowRates([], 10)).toEqual([]);
  });
});
