import { describe, expect, it } from "vitest";
import { parseEvalOptions } from "./options.js";

describe("parseEvalOptions", () => {
  it("accepts known suites and coerces --seeds", () => {
    expect(parseEvalOptions({ suites: ["triage"], seeds: "5" })).toMatchObject({
      suites: ["triage"],
      seeds: 5,
      ci: false,
    });
  });

  it("rejects unknown suites, bad seeds and a one-sided --compare with readable messages", () => {
    expect(() => parseEvalOptions({ suites: ["nope"] })).toThrow(/a suite is one of triage, routing/);
    expect(() => parseEvalOptions({ seeds: "0" })).toThrow(/seeds/);
    expect(() => parseEvalOptions({ compare: ["a.json"] })).toThrow(/exactly two report\.json files/);
    expect(() => parseEvalOptions({ compare: ["a", "b"], suites: ["triage"] })).toThrow(/runs no suites/);
  });
});
