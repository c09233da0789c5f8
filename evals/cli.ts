import { mkdir, writeFile } from "node:fs/promises";
import { join, relative, resolve } from "node:path";
import type { ChatOpenAI } from "@langchain/openai";
import { readReport, renderComparison } from "./harness/compare.js";
import { locateData, missingDataMessage, REPO_ROOT } from "./harness/data.js";
import { HarnessError, type HarnessErrorCode } from "./harness/errors.js";
import { formatDuration } from "./harness/format.js";
import { renderMetricsTable } from "./harness/markdown.js";
import { parseEvalOptions } from "./harness/options.js";
import { barProgress } from "./harness/progress.js";
import { runEvaluation } from "./harness/run.js";
import { writeReport } from "./harness/write.js";
import { createJudge } from "./judge/judge.js";
import { DEFAULT_SEEDS, DEFAULT_SUITES } from "./suites/registry.js";

/**
 * The `marketing-agents eval` command's body, loaded by src/cli/eval.ts from a source checkout. stdout gets
 * the metrics table (or the comparison); stderr gets progress, file paths and data instructions. Returns the
 * exit code: 0 when every threshold is met, 1 when one failed, 2 for usage errors and missing data.
 */

export interface EvalCliDeps {
  /** The configured chat model for the LLM judge, or null offline. */
  judgeModel: { llm: ChatOpenAI; name: string } | null;
  /** The command line as typed, recorded in the report. */
  command: string;
  stdout?: NodeJS.WritableStream;
  stderr?: NodeJS.WriteStream;
}

const EXIT_CODE: Record<HarnessErrorCode, number> = {
  usage: 2,
  data_missing: 2,
  invalid_scenario: 1,
  invalid_report: 1,
};

/** `2026-05-01T12-30-05Z`: sortable, and valid in a file name everywhere. */
export const runFolderName = (date: Date) =>
  date
    .toISOString()
    .replace(/\.\d+Z$/, "Z")
    .replaceAll(":", "-");

export async function runEvalCli(raw: unknown, deps: EvalCliDeps): Promise<number> {
  const stdout = deps.stdout ?? process.stdout;
  const stderr = deps.stderr ?? process.stderr;
  try {
    const options = parseEvalOptions(raw);
    if (options.compare) {
      const [a, b] = options.compare as [string, string];
      const markdown = renderComparison(await readReport(a), await readReport(b), { a, b });
      stdout.write(`${markdown}\n`);
      if (options.out) {
        await mkdir(options.out, { recursive: true });
        await writeFile(join(options.out, "comparison.md"), `${markdown}\n`);
        stderr.write(`comparison written to ${join(options.out, "comparison.md")}\n`);
      }
      return 0;
    }

    const profile = options.ci ? "ci" : "full";
    const data = locateData(options.data);
    const outDir = resolve(options.out ?? join(REPO_ROOT, "evals", "out", runFolderName(new Date())));
    const { report, charts, missing } = await runEvaluation({
      suites: options.suites.length > 0 ? options.suites : DEFAULT_SUITES[profile],
      explicit: options.suites.length > 0,
      profile,
      seeds: options.seeds ?? DEFAULT_SEEDS[profile],
      data,
      progress: barProgress(stderr),
      judge: deps.judgeModel ? createJudge(deps.judgeModel.llm, deps.judgeModel.name) : null,
      command: deps.command,
    });
    const written = await writeReport(outDir, report, charts);
    if (missing.length > 0) stderr.write(`\n${missingDataMessage(data, missing)}\n`);
    const shown = (p: string) => (p.startsWith(REPO_ROOT) ? relative(process.cwd(), p) || "." : p);
    stderr.write(
      `\nreport: ${shown(written.markdown)} (+ report.json, ${written.charts.length} SVG charts) in ${formatDuration(report.durationMs)}\n\n`,
    );
    stdout.write(`${renderMetricsTable(report)}\n`);
    return report.status === "passed" ? 0 : 1;
  } catch (error) {
    if (!(error instanceof HarnessError)) throw error;
    stderr.write(`marketing-agents eval: ${error.message}\n`);
    return EXIT_CODE[error.code];
  }
}
