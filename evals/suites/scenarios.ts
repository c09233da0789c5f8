import { readdir, readFile } from "node:fs/promises";
import { basename, join } from "node:path";
import { z } from "zod";
import { ApprovalDecision } from "../../src/agents/engagement/approval.js";
import { LeadClasses } from "../../src/agents/triage/classify.js";
import { LeadInput } from "../../src/db/lead-input.js";
import { HarnessError, HarnessErrorCode } from "../harness/errors.js";

/**
 * Routing scenarios: one JSON file per scenario in `evals/scenarios/`, named after its id. Each gives the
 * input of a run (a lead, or a bare message) and what must happen: the exact handoff path, a regular
 * expression some handoff reason must match, and optionally the run's status, the triage class and the
 * outreach channel. A scenario may also answer the approval interrupt (`resume`), as a person would through
 * `threads.resume`; the path then covers both runs.
 * Loading validates every file and reports all problems at once, with file names.
 */

const STEP = /^(triage|engagement|optimization)→(triage|engagement|optimization|end)$/;

const regexSource = z.string().refine(
  (source) => {
    try {
      new RegExp(source, "i");
      return true;
    } catch {
      return false;
    }
  },
  { message: "not a valid regular expression" },
);

export const ScenarioSchema = z
  .object({
    $schema: z.string().optional(),
    id: z.string().regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "kebab-case, as the file name"),
    description: z.string().min(1),
    input: z.union([
      z.object({ lead: LeadInput }).strict(),
      z.object({ message: z.string().min(1) }).strict(),
    ]),
    /** Sent to `threads.resume` when the first run stops at the approval interrupt. */
    resume: z
      .object({ decision: ApprovalDecision, by: z.string().min(1).optional() })
      .strict()
      .optional(),
    expect: z
      .object({
        /** Every handoff in order, as `from→to`; the run must take exactly this path. */
        path: z.array(z.string().regex(STEP, "a step is from→to, e.g. triage→engagement")).min(1),
        /** Case-insensitive; at least one handoff reason must match. */
        reason: regexSource,
        /** The final run's status: "interrupted" means it waits for a person's approval. */
        status: z.enum(["success", "interrupted"]).optional(),
        class: z.enum(LeadClasses).optional(),
        /** The engagement channel; null means engagement found no permitted channel. */
        channel: z.enum(["email", "linkedin", "sms"]).nullable().optional(),
      })
      .strict(),
  })
  .strict();
export type Scenario = z.infer<typeof ScenarioSchema>;

/** What a run produced, in the terms a scenario checks (taken from the graph's final state). */
export interface ScenarioRun {
  status: string;
  path: string[];
  reasons: string[];
  leadClass: string | null;
  channel: string | null | undefined;
}

export interface ScenarioResult {
  id: string;
  passed: boolean;
  failures: string[];
  run: ScenarioRun;
}

/** Checks one run against its scenario; every failing expectation is listed, not just the first. */
export function checkScenario(scenario: Scenario, run: ScenarioRun): ScenarioResult {
  const failures: string[] = [];
  const { expect } = scenario;
  if (expect.path.join(", ") !== run.path.join(", ")) {
    failures.push(`path ${run.path.join(", ") || "(none)"}, expected ${expect.path.join(", ")}`);
  }
  const pattern = new RegExp(expect.reason, "i");
  if (!run.reasons.some((r) => pattern.test(r))) failures.push(`no reason matches /${expect.reason}/i`);
  if (expect.status !== undefined && run.status !== expect.status) {
    failures.push(`status ${run.status}, expected ${expect.status}`);
  }
  if (expect.class !== undefined && run.leadClass !== expect.class) {
    failures.push(`class ${run.leadClass ?? "(none)"}, expected ${expect.class}`);
  }
  if (expect.channel !== undefined && (run.channel ?? null) !== expect.channel) {
    failures.push(`channel ${run.channel ?? "none"}, expected ${expect.channel ?? "none"}`);
  }
  return { id: scenario.id, passed: failures.length === 0, failures, run };
}

/** Validates parsed JSON as a scenario from `file`; returns the problems instead of throwing. */
export function validateScenario(json: unknown, file: string): { scenario?: Scenario; problems: string[] } {
  const parsed = ScenarioSchema.safeParse(json);
  if (!parsed.success) return { problems: [`${file}:\n${z.prettifyError(parsed.error)}`] };
  const expectedId = basename(file, ".json");
  if (parsed.data.id !== expectedId) {
    return { problems: [`${file}: id "${parsed.data.id}" differs from the file name "${expectedId}"`] };
  }
  return { scenario: parsed.data, problems: [] };
}

/** Every `*.json` in `dir`, validated, sorted by id. Throws one error listing every bad file. */
export async function loadScenarios(dir: string): Promise<Scenario[]> {
  let files: string[];
  try {
    files = (await readdir(dir)).filter((f) => f.endsWith(".json")).sort();
  } catch (cause) {
    throw new HarnessError(HarnessErrorCode.InvalidScenario, `cannot read scenarios from ${dir}`, { cause });
  }
  const scenarios: Scenario[] = [];
  const problems: string[] = [];
  for (const file of files) {
    let json: unknown;
    try {
      json = JSON.parse(await readFile(join(dir, file), "utf8"));
    } catch (error) {
      problems.push(`${file}: not JSON (${(error as Error).message})`);
      continue;
    }
    const result = validateScenario(json, file);
    problems.push(...result.problems);
    if (result.scenario) scenarios.push(result.scenario);
  }
  if (files.length === 0) problems.push(`no scenario files (*.json) in ${dir}`);
  if (problems.length > 0) {
    throw new HarnessError(
      HarnessErrorCode.InvalidScenario,
      `invalid routing scenarios:\n${problems.join("\n")}`,
    );
  }
  return scenarios;
}
