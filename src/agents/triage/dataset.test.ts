import { describe, expect, it } from "vitest";
import {
  columnsForSetting,
  featureConfigFor,
  leadToRecord,
  occupationFromTitle,
  parseLeadsCsv,
  stratifiedFolds,
  stratifiedSplit,
} from "./dataset.js";
import { TriageError } from "./errors.js";

describe("parseLeadsCsv", () => {
  it("reads records keyed by the header and takes the target out of them", () => {
    const data = parseLeadsCsv(
      'Prospect ID,Lead Source,Converted,TotalVisits\na,Google,1,3\nb,"Olark Chat",0,\n',
    );
    expect(data.target).toEqual([1, 0]);
    expect(data.columns).toEqual(["Prospect ID", "Lead Source", "TotalVisits"]);
    expect(data.rows[1]).toEqual({ "Prospect ID": "b", "Lead Source": "Olark Chat", TotalVisits: "" });
  });

  it("rejects a file without a 0/1 Converted column", () => {
    expect(() => parseLeadsCsv("a,b\n1,2\n")).toThrow(TriageError);
    expect(() => parseLeadsCsv("Converted\nyes\n")).toThrow(/must be 0 or 1/);
  });
});

describe("settings", () => {
  const header = ["Prospect ID", "Lead Number", "Lead Source", "Tags", "Lead Quality", "TotalVisits", "City"];

  it("drops ids always, post-contact columns before contact, and keeps only mapped columns for lead input", () => {
    expect(columnsForSetting("all", header)).toEqual([
      "Lead Source",
      "Tags",
      "Lead Quality",
      "TotalVisits",
      "City",
    ]);
    expect(columnsForSetting("pre-contact", header)).toEqual(["Lead Source", "TotalVisits", "City"]);
    expect(columnsForSetting("lead-input", header)).toEqual(["Lead Source", "TotalVisits"]);
  });

  it("names mapped columns after the product's fields and imputes what a product may not track", () => {
    const config = featureConfigFor("lead-input", header);
    expect(config.numeric).toEqual([
      { column: "TotalVisits", name: "totalVisits", transform: "log1p", missing: "impute" },
    ]);
    expect(config.categorical).toEqual([{ column: "Lead Source", name: "source", missing: "impute" }]);
    expect(featureConfigFor("pre-contact", header).categorical).toContainEqual({
      column: "City",
      name: "City",
      missing: "indicator",
    });
  });
});

describe("stratifiedSplit", () => {
  const target = Array.from({ length: 1000 }, (_, i) => (i % 10 < 4 ? 1 : 0));

  it("puts a fifth of each class in test, disjoint from train, reproducibly", () => {
    const split = stratifiedSplit(target, 0.2, 42);
    expect(split.test).toHaveLength(200);
    expect(split.test.filter((i) => target[i] === 1)).toHaveLength(80);
    expect(new Set([...split.train, ...split.test]).size).toBe(1000);
    expect(stratifiedSplit(target, 0.2, 42)).toEqual(split);
    expect(stratifiedSplit(target, 0.2, 43).test).not.toEqual(split.test);
  });

  it("assigns folds of nearly equal size and class balance", () => {
    const folds = stratifiedFolds(target, 5, 1);
    for (let k = 0; k < 5; k++) {
      const members = folds.flatMap((f, i) => (f === k ? [i] : []));
      expect(members).toHaveLength(200);
      expect(members.filter((i) => target[i] === 1)).toHaveLength(80);
    }
  });
});

describe("occupationFromTitle", () => {
  it.each([
    ["MBA Student", "Student"],
    ["Marketing intern", "Student"],
    ["Currently unemployed", "Unemployed"],
    ["Looking for a new role", "Unemployed"],
    ["Homemaker", "Housewife"],
    ["Co-founder & CEO", "Businessman"],
    ["Senior Data Engineer", "Working Professional"],
    ["  ", undefined],
    [undefined, undefined],
  ])("maps %j to %j", (title, occupation) => {
    expect(occupationFromTitle(title)).toBe(occupation);
  });
});

describe("leadToRecord", () => {
  it("maps the product's fields onto the dataset's columns", () => {
    expect(
      leadToRecord({
        name: "Asha",
        title: "Student",
        source: "Reference",
        totalVisits: 3,
        timeOnSite: 620,
        pageViewsPerVisit: 2.5,
        lastActivity: "SMS Sent",
        doNotEmail: true,
      }),
    ).toEqual({
      "Lead Source": "Reference",
      TotalVisits: 3,
      "Total Time Spent on Website": 620,
      "Page Views Per Visit": 2.5,
      "Last Activity": "SMS Sent",
      "Do Not Email": "Yes",
      "What is your current occupation": "Student",
    });
    expect(leadToRecord({ email: "a@b.co", doNotEmail: false })["Do Not Email"]).toBe("No");
  });
});
