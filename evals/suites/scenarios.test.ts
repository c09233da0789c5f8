import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_SCENARIOS_DIR } from "../harness/data.js";
import { checkScenario, loadScenarios, type Scenario, validateScenario } from "./scenarios.js";

const scenario: Scenario = {
  id: "hot-lead",
  description: "a hot lead",
  input: { lead: { name: "Ada", email: "ada@example.com" } },
  expect: {
    path: ["triage→engagement", "engagement→end"],
    reason: "^hot lead",
    status: "success",
    class: "hot",
    channel: "email",
  },
};

describe("validateScenario", () => {
  it("accepts a well-formed scenario whose id is its file name", () => {
    expect(validateScenario(scenario, "hot-lead.json")).toEqual({ scenario, problems: [] });
  });

  it("rejects a malformed path step, a bad regex, an invalid lead and unknown keys", () => {
    const bad = {
      ...scenario,
      input: { lead: { email: "not-an-email" } },
      expect: { ...scenario.expect, path: ["triage->engagement"], reason: "(unclosed" },
      extra: true,
    };
    const [problem] = validateScenario(bad, "hot-lead.json").problems;
    expect(problem).toContain("hot-lead.json");
    expect(problem).toContain("a step is from→to");
    expect(problem).toContain("not a valid regular expression");
    expect(problem).toMatch(/extra/);
  });

  it("rejects an id that differs from the file name", () => {
    expect(validateScenario(scenario, "other.json").problems[0]).toContain(
      'differs from the file name "other"',
    );
  });
});

describe("loadScenarios", () => {
  it("loads the repository's scenarios: at least ten, ids unique", async () => {
    const scenarios = await loadScenarios(DEFAULT_SCENARIOS_DIR);
    expect(scenarios.length).toBeGreaterThanOrEqual(10);
    expect(new Set(scenarios.map((s) => s.id)).size).toBe(scenarios.length);
  });

  it("reports every bad file at once", async () => {
    const dir = await mkdtemp(join(tmpdir(), "eval-scenarios-"));
    await writeFile(join(dir, "hot-lead.json"), JSON.stringify(scenario));
    await writeFile(join(dir, "broken.json"), "{ nope");
    await writeFile(join(dir, "wrong-id.json"), JSON.stringify(scenario));
    await expect(loadScenarios(dir)).rejects.toThrow(
      /broken\.json: not JSON[\s\S]*wrong-id\.json: id "hot-lead"/,
    );
  });

  it("refuses an empty folder", async () => {
    await expect(loadScenarios(await mkdtemp(join(tmpdir(), "eval-empty-")))).rejects.toThrow(
      /no scenario files/,
    );
  });
});

describe("checkScenario", () => {
  const run = {
    status: "success",
    path: ["triage→engagement", "engagement→end"],
    reasons: ["hot lead (p=0.99 ≥ 0.7): personal outreach now", "no permitted channel"],
    leadClass: "hot",
    channel: "email",
  };

  it("passes a run that matches path, reason, status, class and channel", () => {
    expect(checkScenario(scenario, run)).toMatchObject({ passed: true, failures: [] });
  });

  it("lists every mismatch", () => {
    const result = checkScenario(scenario, {
      status: "interrupted",
      path: ["triage→end"],
      reasons: ["disqualified"],
      leadClass: "disqualified",
      channel: undefined,
    });
    expect(result.passed).toBe(false);
    expect(result.failures).toEqual([
      "path triage→end, expected triage→engagement, engagement→end",
      "no reason matches /^hot lead/i",
      "status interrupted, expected success",
      "class disqualified, expected hot",
      "channel none, expected email",
    ]);
  });

  it("checks a null channel (no permitted channel) only when the scenario asks for it", () => {
    const noChannel = { ...scenario, expect: { ...scenario.expect, channel: null } };
    expect(checkScenario(noChannel, { ...run, channel: null }).passed).toBe(true);
    const { channel: _, ...unchecked } = scenario.expect;
    expect(checkScenario({ ...scenario, expect: unchecked }, { ...run, channel: "linkedin" }).passed).toBe(
      true,
    );
  });
});
