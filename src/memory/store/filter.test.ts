import { describe, expect, it } from "vitest";
import { parseFilter } from "./filter.js";
import { orTsQuery } from "./sql.js";

describe("parseFilter", () => {
  it("reads plain values as $eq and operator objects as their operators, on dotted paths", () => {
    expect(
      parseFilter({ status: "active", "meta.tier": { $in: ["gold"] }, score: { $gte: 1, $lt: 5 } }),
    ).toEqual([
      { path: ["status"], op: "$eq", value: "active" },
      { path: ["meta", "tier"], op: "$in", value: ["gold"] },
      { path: ["score"], op: "$gte", value: 1 },
      { path: ["score"], op: "$lt", value: 5 },
    ]);
    expect(parseFilter({ meta: { tier: "gold" } })).toEqual([
      { path: ["meta"], op: "$eq", value: { tier: "gold" } },
    ]);
    expect(parseFilter(undefined)).toEqual([]);
  });

  it("rejects what it cannot compile", () => {
    expect(() => parseFilter({ a: { $like: "%" } })).toThrow(/unknown filter operator \$like/);
    expect(() => parseFilter({ a: { $gt: true } })).toThrow(/number or a string/);
    expect(() => parseFilter({ a: { $gt: Number.POSITIVE_INFINITY } })).toThrow(/number or a string/);
    expect(() => parseFilter({ a: { $in: "x" } })).toThrow(/takes an array/);
    expect(() => parseFilter({ a: { $eq: 1, b: 2 } })).toThrow(/mixes operators and fields/);
    expect(() => parseFilter({ "a..b": 1 })).toThrow(/empty path segment/);
    expect(() => parseFilter({ a: undefined })).toThrow(/not JSON/);
  });
});

describe("orTsQuery", () => {
  it("joins distinct words with | and drops anything that could be a tsquery operator", () => {
    expect(orTsQuery(["crm", "salesforce", "crm"])).toBe("crm | salesforce");
    expect(orTsQuery(["a&b", "!x", "ok"])).toBe("ok");
    expect(orTsQuery([])).toBeNull();
  });
});
