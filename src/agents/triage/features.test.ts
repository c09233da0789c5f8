import { describe, expect, it } from "vitest";
import { compileFeatureSpec, type FeatureConfig, featureLayout, fitFeatureSpec } from "./features.js";

const records = [
  { source: "Google", visits: "3", plan: "Select", flag: "No" },
  { source: "google", visits: 0, plan: "Pro", flag: "No" },
  { source: "Google", visits: "", plan: "Pro", flag: "No" },
  { source: "Reference", visits: "10", plan: undefined, flag: "No" },
  { source: "Reference", visits: "7", plan: "Free", flag: "No" },
  { source: "Carrier pigeon", visits: "2", plan: "Pro", flag: "No" },
];

const config: FeatureConfig = {
  numeric: [{ column: "visits", name: "totalVisits", transform: "log1p" }],
  categorical: [
    { column: "source", name: "source" },
    { column: "plan", name: "plan" },
    { column: "flag", name: "flag" },
  ],
  missingTokens: ["Select"],
  minCount: 2,
};

describe("fitFeatureSpec", () => {
  const spec = fitFeatureSpec(records, config);

  it("learns levels case-insensitively, groups rare ones, and flags missing values", () => {
    expect(featureLayout(spec).names).toEqual([
      "log(totalVisits)",
      "totalVisits=missing",
      "source=Google",
      "source=Reference",
      "source=other",
      "plan=Pro",
      "plan=other",
      "plan=missing",
    ]);
  });

  it("treats the missing token like an empty cell and drops constant columns", () => {
    const plan = spec.columns.find((c) => c.column === "plan");
    expect(plan).toMatchObject({ kind: "categorical", levels: ["Pro"], other: true, missing: true });
    expect(spec.columns.some((c) => c.column === "flag")).toBe(false);
  });

  it("fills a missing number with the median of the transformed values and clips to the training range", () => {
    const visits = spec.columns[0]!;
    expect(visits).toMatchObject({ kind: "numeric", fill: Math.log1p(3), min: 0, max: Math.log1p(10) });
  });
});

describe("the impute policy", () => {
  it("fills missing values in instead of giving them a slot", () => {
    const spec = fitFeatureSpec(records, {
      numeric: [{ column: "visits", name: "totalVisits", transform: "log1p", missing: "impute" }],
      categorical: [{ column: "plan", name: "plan", missing: "impute" }],
      minCount: 2,
      missingTokens: ["Select"],
    });
    expect(featureLayout(spec).names).toEqual(["log(totalVisits)", "plan=Pro", "plan=other"]);
    const encoder = compileFeatureSpec(spec);
    expect(Array.from(encoder.encode({ visits: null, plan: "" }))).toEqual([Math.log1p(3), 1, 0]);
    expect([0, 1].map((c) => encoder.describe({}, c))).toEqual(["totalVisits=unknown", "plan=unknown"]);
  });
});

describe("compileFeatureSpec", () => {
  const encoder = compileFeatureSpec(fitFeatureSpec(records, config));

  it("encodes a record into named slots", () => {
    const x = encoder.encode({ source: "REFERENCE", visits: 4, plan: "Pro" });
    expect(Array.from(x)).toEqual([Math.log1p(4), 0, 0, 1, 0, 1, 0, 0]);
  });

  it("sends unseen values to other, missing ones to their indicator, and clips outliers", () => {
    const x = encoder.encode({ source: "LinkedIn", visits: 1e6, plan: "  select " });
    expect(Array.from(x)).toEqual([Math.log1p(10), 0, 0, 0, 1, 0, 0, 1]);
    // No source was ever missing in training, so there is no slot for it: it counts as the commonest level.
    const y = encoder.encode({});
    expect(Array.from(y)).toEqual([Math.log1p(3), 1, 1, 0, 0, 0, 0, 1]);
    expect(encoder.describe({}, 1)).toBe("source=unknown");
  });

  it("describes each column as this record has it", () => {
    const record = { source: "LinkedIn", visits: null, plan: "Pro" };
    expect([0, 1, 2].map((c) => encoder.describe(record, c))).toEqual([
      "totalVisits=missing",
      "source=other",
      "plan=Pro",
    ]);
    expect(encoder.describe({ visits: "5" }, 0)).toBe("log(totalVisits)");
  });

  it("encodes many records row-major", () => {
    const matrix = encoder.encodeAll(records);
    expect(matrix.rows).toBe(records.length);
    expect(matrix.cols).toBe(encoder.width);
    expect(Array.from(matrix.data.subarray(matrix.cols, 2 * matrix.cols))).toEqual(
      Array.from(encoder.encode(records[1]!)),
    );
  });
});
