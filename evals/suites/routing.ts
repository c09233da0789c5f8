import type { MarketingSystem, RunResult } from "../../src/index.js";
import { metric } from "../harness/report.js";
import { checkScenario, loadScenarios, type Scenario, type ScenarioResult } from "./scenarios.js";
import type { Suite, SuiteContext, SuiteOutcome } from "./suite.js";

/**
 * Routing: every scripted scenario in `evals/scenarios/` through the real graph (`system.threads.run`, and
 * `threads.resume` when the scenario answers the approval interrupt), each on a fresh thread, checked
 * against its expected handoff path, reason, status, class and channel.
 */

function runOf(result: RunResult): Parameters<typeof checkScenario>[1] {
  const { state } = result;
  return {
    status: result.status,
    path: state.handoffs.map((h) => `${h.from}→${h.to}`),
    reasons: state.handoffs.map((h) => h.reason),
    leadClass: state.triageResult?.class ?? null,
    channel: state.engagementResult ? state.engagementResult.channel : undefined,
  };
}

async function runScenario(system: MarketingSystem, scenario: Scenario): Promise<ScenarioResult> {
  let result = await system.threads.run({ input: scenario.input });
  if (scenario.resume && result.status === "interrupted") {
    result = await system.threads.resume({ threadId: result.threadId, value: scenario.resume });
  }
  return checkScenario(scenario, runOf(result));
}

const inputOf = (s: Scenario) =>
  "lead" in s.input ? `lead ${s.input.lead.name ?? s.input.lead.email}` : `message "${s.input.message}"`;

async function runRoutingSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const scenarios = await loadScenarios(ctx.scenariosDir);
  ctx.progress.setTotal(scenarios.length + 1);
  ctx.progress.advance(1, "starting the graph");
  const system = await ctx.system();
  const results: ScenarioResult[] = [];
  for (const scenario of scenarios) {
    ctx.progress.label(scenario.id);
    results.push(await runScenario(system, scenario));
    ctx.progress.advance(1);
  }
  const passed = results.filter((r) => r.passed).length;
  const failed = results.filter((r) => !r.passed);
  return {
    summary: `${passed}/${results.length} scenarios take the expected path${failed.length ? `; failing: ${failed.map((r) => r.id).join(", ")}` : ""}`,
    metrics: [
      metric({
        id: "scenarios",
        label: "scenarios",
        value: results.length,
        format: "integer",
        better: "none",
      }),
      metric({
        id: "pass-rate",
        label: "scenarios passing",
        value: passed / results.length,
        format: "percent",
        better: "higher",
        threshold: { op: ">=", value: 1 },
      }),
    ],
    sections: [
      {
        kind: "table",
        title: "Scenarios",
        columns: ["Scenario", "Input", "Path taken", "Status", "Result"],
        rows: results.map((r, i) => [
          r.id,
          inputOf(scenarios[i]!),
          r.run.path.join(", "),
          r.run.status,
          r.passed ? "pass" : `FAIL: ${r.failures.join("; ")}`,
        ]),
      },
      {
        kind: "text",
        text:
          "Each scenario is a JSON file in `evals/scenarios/` (input, optional approval answer, expected path, " +
          "a regular expression some handoff reason must match, and optionally status, class and channel). " +
          "The system runs with its defaults: the shipped triage model and approval policy `always`, so outreach " +
          "stops at the approval interrupt unless the scenario answers it.",
      },
      ...failed.map((r) => ({
        kind: "text" as const,
        title: `Failed: ${r.id}`,
        text: [
          ...r.failures.map((f) => `- ${f}`),
          "",
          "Reasons given:",
          ...r.run.reasons.map((x) => `- ${x}`),
        ].join("\n"),
      })),
    ],
    charts: [],
  };
}

export const routingSuite: Suite = {
  id: "routing",
  title: "Routing: scripted scenarios through the graph",
  needs: [],
  steps: () => 15,
  run: runRoutingSuite,
};
