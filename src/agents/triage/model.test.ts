import { describe, expect, it } from "vitest";
import type { LeadInput } from "../../db/lead-input.js";
import { TriageError } from "./errors.js";
import {
  evaluateTriageModel,
  loadDefaultTriageModel,
  parseTriageModel,
  scoreLead,
  scoreRecord,
  type TriageModel,
  trainTriageModel,
} from "./model.js";
import { seededRandom } from "./random.js";

/** Records shaped like the X Education CSV, with a known pattern and a leaky "Tags" column. */
function syntheticLeads(n: number, seed: number): { rows: Record<string, string>[]; target: number[] } {
  const random = seededRandom(seed);
  const sources = ["Google", "Reference", "Olark Chat", "Direct Traffic"];
  const sourceEffect: Record<string, number> = {
    Google: 0,
    Reference: 1.5,
    "Olark Chat": -1,
    "Direct Traffic": 0,
  };
  const rows: Record<string, string>[] = [];
  const target: number[] = [];
  for (let i = 0; i < n; i++) {
    const source = sources[Math.floor(random() * sources.length)]!;
    const visits = Math.floor(random() * 10);
    const seconds = Math.floor(random() * 2000);
    const doNotEmail = random() < 0.1;
    const z = -1 + sourceEffect[source]! + 0.002 * seconds - (doNotEmail ? 1.5 : 0) + 0.05 * visits;
    const converted = random() < 1 / (1 + Math.exp(-z)) ? 1 : 0;
    rows.push({
      "Prospect ID": `id-${i}`,
      "Lead Source": source,
      TotalVisits: String(visits),
      "Total Time Spent on Website": String(seconds),
      "Last Activity": random() < 0.5 ? "Email Opened" : "SMS Sent",
      "Do Not Email": doNotEmail ? "Yes" : "No",
      Tags: converted && random() < 0.8 ? "Closed by Horizzon" : "Ringing",
    });
    target.push(converted);
  }
  return { rows, target };
}

const fast = { folds: 3, gbt: { trees: 40 }, createdAt: "2026-01-01T00:00:00.000Z" } as const;

describe("trainTriageModel", () => {
  const train = syntheticLeads(900, 1);
  const test = syntheticLeads(400, 2);

  it.each(["logistic", "gbt", "blend"] as const)("trains a %s model that ranks held-out leads", (kind) => {
    const model = trainTriageModel(train.rows, train.target, {
      kind,
      setting: "pre-contact",
      seed: 3,
      ...fast,
    });
    expect(model.kind).toBe(kind);
    expect(model.trainedOn).toMatchObject({ rows: 900, setting: "pre-contact", seed: 3, folds: 3 });
    expect(model.calibration.method).toBe("platt");
    const evaluation = evaluateTriageModel(model, test.rows, test.target);
    expect(evaluation.n).toBe(400);
    expect(evaluation.auc).toBeGreaterThan(0.7);
    expect(evaluation.brier).toBeLessThan(0.25);
    expect(model.metrics.crossValidated.auc).toBeGreaterThan(0.7);
  });

  it("leaves post-contact columns and ids out of a pre-contact model, and uses them in an all-columns one", () => {
    const columnsOf = (model: TriageModel) => model.featureSpec.columns.map((c) => c.column);
    const pre = trainTriageModel(train.rows, train.target, {
      kind: "logistic",
      setting: "pre-contact",
      seed: 1,
      ...fast,
    });
    const all = trainTriageModel(train.rows, train.target, {
      kind: "logistic",
      setting: "all",
      seed: 1,
      ...fast,
    });
    expect(columnsOf(pre)).not.toContain("Tags");
    expect(columnsOf(pre)).not.toContain("Prospect ID");
    expect(columnsOf(all)).toContain("Tags");
    expect(evaluateTriageModel(all, test.rows, test.target).auc).toBeGreaterThan(
      evaluateTriageModel(pre, test.rows, test.target).auc,
    );
  });

  it("is deterministic for a seed and survives a JSON round trip", () => {
    const options = { kind: "blend", setting: "pre-contact", seed: 5, ...fast } as const;
    const model = trainTriageModel(train.rows, train.target, options);
    expect(trainTriageModel(train.rows, train.target, options)).toEqual(model);
    const reloaded = parseTriageModel(JSON.parse(JSON.stringify(model)));
    for (const row of test.rows.slice(0, 20))
      expect(scoreRecord(reloaded, row)).toEqual(scoreRecord(model, row));
  });

  it("refuses labels other than 0 and 1", () => {
    expect(() =>
      trainTriageModel(
        train.rows,
        train.target.map((y) => y * 2),
        { kind: "gbt", setting: "all", seed: 1 },
      ),
    ).toThrow(TriageError);
  });
});

describe("scoreRecord", () => {
  const train = syntheticLeads(900, 4);
  const model = trainTriageModel(train.rows, train.target, {
    kind: "blend",
    setting: "pre-contact",
    seed: 2,
    ...fast,
  });

  it("explains with one readable factor per column, largest first", () => {
    const { probability, factors } = scoreRecord(model, {
      "Lead Source": "Reference",
      TotalVisits: "5",
      "Total Time Spent on Website": "1900",
      "Do Not Email": "No",
    });
    expect(probability).toBeGreaterThan(0.5);
    const names = factors.map((f) => f.feature);
    expect(names).toContain("source=Reference");
    expect(names).toContain("log(timeOnSite)");
    expect(new Set(names).size).toBe(names.length);
    const sizes = factors.map((f) => Math.abs(f.contribution));
    expect([...sizes].sort((a, b) => b - a)).toEqual(sizes);
    for (const f of factors) expect(f.direction).toBe(f.contribution > 0 ? "+" : "-");
    expect(factors.find((f) => f.feature === "source=Reference")!.direction).toBe("+");
  });

  it("limits the number of factors on request", () => {
    expect(scoreRecord(model, { "Lead Source": "Google" }, { topFactors: 2 }).factors).toHaveLength(2);
  });
});

describe("parseTriageModel", () => {
  it("rejects JSON that is not a model, or whose parts disagree", () => {
    expect(() => parseTriageModel({ version: 1, kind: "gbt" })).toThrow(/not a triage model/);
    const model = structuredClone(loadDefaultTriageModel());
    if (model.kind === "logistic") throw new Error("the default model has trees");
    model.params.gbt.trees[0]!.feature[0] = 10_000;
    expect(() => parseTriageModel(model)).toThrow(/inconsistent triage model/);
  });
});

describe("the default model", () => {
  const model = loadDefaultTriageModel();
  const hot: LeadInput = {
    name: "Asha Rao",
    source: "Reference",
    totalVisits: 12,
    timeOnSite: 1800,
    pageViewsPerVisit: 4,
    lastActivity: "SMS Sent",
  };
  const cold: LeadInput = {
    name: "Sam Doe",
    source: "Olark Chat",
    totalVisits: 0,
    timeOnSite: 0,
    pageViewsPerVisit: 0,
    doNotEmail: true,
    lastActivity: "Email Bounced",
  };

  it("loads once, validated, trained on the lead-input columns", () => {
    expect(loadDefaultTriageModel()).toBe(model);
    expect(model.trainedOn.setting).toBe("lead-input");
    expect(model.metrics.holdout?.auc).toBeGreaterThan(0.88);
  });

  it("scores a hot lead well above a cold one, with reasons", () => {
    const hotScore = scoreLead(model, hot);
    const coldScore = scoreLead(model, cold);
    expect(hotScore.probability).toBeGreaterThan(0.7);
    expect(coldScore.probability).toBeLessThan(0.1);
    const hotFactors = Object.fromEntries(hotScore.factors.map((f) => [f.feature, f.direction]));
    expect(hotFactors["source=Reference"]).toBe("+");
    expect(hotFactors["log(timeOnSite)"]).toBe("+");
    const coldFactors = Object.fromEntries(coldScore.factors.map((f) => [f.feature, f.direction]));
    expect(coldFactors["doNotEmail=Yes"]).toBe("-");
    expect(scoreLead(model, { ...hot, source: "Welingak Website" }).probability).toBeGreaterThan(0.7);
  });

  it("scores a lead with nothing but an email without throwing, and marks what it did not know", () => {
    const { probability, factors } = scoreLead(model, { email: "someone@example.com" });
    expect(probability).toBeGreaterThan(0);
    expect(probability).toBeLessThan(1);
    expect(factors.map((f) => f.feature)).toContain("source=unknown");
  });
});
