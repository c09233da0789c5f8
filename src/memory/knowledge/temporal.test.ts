import { describe, expect, it } from "vitest";
import { type Belief, planAssertion, planRetraction } from "./temporal.js";

const d = (iso: string) => new Date(`${iso}T00:00:00Z`);
const belief = (id: number, objectKey: string, from: string, to: string | null = null): Belief => ({
  id,
  objectKey,
  validFrom: d(from),
  validTo: to === null ? null : d(to),
});
const single = (objectKey: string, from: string, to: string | null = null) => ({
  objectKey,
  validFrom: d(from),
  validTo: to === null ? null : d(to),
  multiValued: false,
});

describe("planAssertion", () => {
  it("closes the old open fact at the new one's start instead of erasing it", () => {
    const plan = planAssertion([belief(1, '"retail"', "2020-01-01")], single('"fintech"', "2024-06-01"));
    expect(plan).toEqual({
      duplicateOf: null,
      retire: [1],
      reassert: [{ of: 1, validFrom: d("2020-01-01"), validTo: d("2024-06-01") }],
    });
  });

  it("replaces without a copy when the new fact starts no later (a correction)", () => {
    expect(planAssertion([belief(1, '"retail"', "2024-01-01")], single('"fintech"', "2023-01-01"))).toEqual({
      duplicateOf: null,
      retire: [1],
      reassert: [],
    });
  });

  it("keeps both sides when a bounded fact lands inside an open one", () => {
    const plan = planAssertion([belief(7, '"a"', "2020-01-01")], single('"b"', "2021-01-01", "2022-01-01"));
    expect(plan.reassert).toEqual([
      { of: 7, validFrom: d("2020-01-01"), validTo: d("2021-01-01") },
      { of: 7, validFrom: d("2022-01-01"), validTo: null },
    ]);
  });

  it("is a no-op when an identical belief already covers it", () => {
    expect(planAssertion([belief(3, '"retail"', "2020-01-01")], single('"retail"', "2022-01-01"))).toEqual({
      duplicateOf: 3,
      retire: [],
      reassert: [],
    });
  });

  it("leaves non-overlapping beliefs alone", () => {
    const plan = planAssertion([belief(1, '"a"', "2019-01-01", "2020-01-01")], single('"b"', "2020-01-01"));
    expect(plan).toEqual({ duplicateOf: null, retire: [], reassert: [] });
  });

  it("touches only the same object for multi-valued predicates", () => {
    const beliefs = [belief(1, "crm-id", "2020-01-01"), belief(2, "erp-id", "2020-01-01")];
    expect(planAssertion(beliefs, { ...single("erp-id", "2021-01-01"), multiValued: true }).duplicateOf).toBe(
      2,
    );
    expect(planAssertion(beliefs, { ...single("bi-id", "2021-01-01"), multiValued: true })).toEqual({
      duplicateOf: null,
      retire: [],
      reassert: [],
    });
  });

  it("rejects an empty interval", () => {
    expect(() => planAssertion([], single('"x"', "2021-01-01", "2021-01-01"))).toThrow(RangeError);
  });
});

describe("planRetraction", () => {
  it("ends a belief at the retraction time, keeping what came before", () => {
    expect(planRetraction(belief(4, "x", "2020-01-01"), d("2025-01-01"))).toEqual({
      duplicateOf: null,
      retire: [4],
      reassert: [{ of: 4, validFrom: d("2020-01-01"), validTo: d("2025-01-01") }],
    });
    expect(planRetraction(belief(4, "x", "2020-01-01", "2021-01-01"), d("2025-01-01")).duplicateOf).toBe(4);
  });
});
