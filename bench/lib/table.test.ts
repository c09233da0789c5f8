import { describe, expect, it } from "vitest";
import { formatMs, formatRatio, renderTable } from "./table.js";

describe("renderTable", () => {
  it("pads columns to the widest cell and right-aligns numbers", () => {
    const text = renderTable(
      [{ header: "target" }, { header: "req/s", align: "right" }],
      [
        ["node:http echo", "21,191"],
        ["ours", "900"],
      ],
    );
    expect(text.split("\n")).toEqual([
      "target           req/s",
      "--------------  ------",
      "node:http echo  21,191",
      "ours               900",
    ]);
  });
});

describe("formatters", () => {
  it("shows milliseconds with three significant digits and ratios with two decimals", () => {
    expect(formatMs(0.41234)).toBe("0.412");
    expect(formatMs(41.234)).toBe("41.2");
    expect(formatMs(1234.5)).toBe("1,235");
    expect(formatMs(Number.NaN)).toBe("-");
    expect(formatRatio(0.8049)).toBe("0.80×");
  });
});
