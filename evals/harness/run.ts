import { execFileSync } from "node:child_process";
import { cpus } from "node:os";
import { createMarketingSystem, type MarketingSystem } from "../../src/index.js";
import type { Judge } from "../judge/judge.js";
import { SUITES } from "../suites/registry.js";
import type { ChartOutput, Profile, SuiteContext } from "../suites/suite.js";
import {
  type DataLocation,
  type DatasetId,
  DEFAULT_SCENARIOS_DIR,
  missingDataMessage,
  REPO_ROOT,
} from "./data.js";
import { HarnessError, HarnessErrorCode } from "./errors.js";
import type { ProgressReporter } from "./progress.js";
import {
  overallStatus,
  REPORT_SCHEMA_VERSION,
  type Report,
  type SuiteId,
  type SuiteReport,
  SuiteReportSchema,
  statusOf,
} from "./report.js";

/**
 * Runs the chosen suites one after another (two shared cores: parallel suites would only skew each
 * other's timings) and assembles the report. A suite that throws is reported as `error` with its message
 * and the run goes on, so one broken suite does not hide the others' numbers.
 */

export interface RunOptions {
  suites: readonly SuiteId[];
  /** True when the caller named the suites: then a missing dataset is an error, not a skip. */
  explicit: boolean;
  profile: Profile;
  seeds: number;
  data: DataLocation;
  progress: ProgressReporter;
  judge: Judge | null;
  /** The command line, recorded in the report. */
  command: string;
  /** The system the graph suites share; default `createMarketingSystem({ database: "memory://" })`. */
  openSystem?: () => Promise<MarketingSystem>;
  scenariosDir?: string;
}

export interface RunOutput {
  report: Report;
  charts: ChartOutput[];
  /** Datasets that were missing for suites that wanted them (the CLI prints where to put them). */
  missing: DatasetId[];
}

function gitState(): Report["git"] {
  try {
    const commit = execFileSync("git", ["rev-parse", "HEAD"], { cwd: REPO_ROOT, encoding: "utf8" }).trim();
    const status = execFileSync("git", ["status", "--porcelain", "--untracked-files=no"], {
      cwd: REPO_ROOT,
      encoding: "utf8",
    });
    return { commit, dirty: status.trim().length > 0 };
  } catch {
    // Not a git checkout (an unpacked tarball): say so rather than fail the run.
    return { commit: null, dirty: null };
  }
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

export async function runEvaluation(options: RunOptions): Promise<RunOutput> {
  const missing = [
    ...new Set(options.suites.flatMap((id) => SUITES[id].needs.filter((d) => !options.data.files[d]))),
  ];
  if (options.explicit && missing.length > 0) {
    throw new HarnessError(HarnessErrorCode.DataMissing, missingDataMessage(options.data, missing));
  }

  const started = performance.now();
  let system: Promise<MarketingSystem> | undefined;
  const openSystem = options.openSystem ?? (() => createMarketingSystem({ database: "memory://" }));
  const suites: SuiteReport[] = [];
  const charts: ChartOutput[] = [];
  try {
    for (const id of options.suites) {
      const suite = SUITES[id];
      const suiteStarted = performance.now();
      const lacking = suite.needs.filter((d) => !options.data.files[d]);
      if (lacking.length > 0) {
        suites.push({
          id,
          title: suite.title,
          status: "skipped",
          summary: `skipped: no ${lacking.map((d) => (d === "leads" ? "leads/leads.csv" : "ads-ctr/ads-ctr.csv")).join(" or ")} in ${options.data.dir}`,
          durationMs: 0,
          metrics: [],
          sections: [{ kind: "text", text: missingDataMessage(options.data, lacking) }],
        });
        continue;
      }
      const progress = options.progress.startSuite(id, suite.steps(options.profile));
      const context: SuiteContext = {
        profile: options.profile,
        data: options.data,
        seeds: options.seeds,
        progress,
        system: () => {
          system ??= openSystem();
          return system;
        },
        judge: options.judge,
        scenariosDir: options.scenariosDir ?? DEFAULT_SCENARIOS_DIR,
      };
      try {
        const outcome = await suite.run(context);
        charts.push(...outcome.charts);
        suites.push(
          SuiteReportSchema.parse({
            id,
            title: suite.title,
            status: outcome.skipped ? "skipped" : statusOf(outcome.metrics),
            summary: outcome.summary,
            durationMs: performance.now() - suiteStarted,
            metrics: outcome.metrics,
            sections: outcome.sections,
          }),
        );
      } catch (error) {
        suites.push({
          id,
          title: suite.title,
          status: "error",
          summary: `crashed: ${errorText(error).split("\n")[0]}`,
          durationMs: performance.now() - suiteStarted,
          metrics: [],
          sections: [{ kind: "text", title: "Error", text: `\`\`\`\n${errorText(error)}\n\`\`\`` }],
        });
      } finally {
        options.progress.endSuite();
      }
    }
  } finally {
    if (system) await (await system.catch(() => null))?.close();
  }

  const report: Report = {
    schemaVersion: REPORT_SCHEMA_VERSION,
    createdAt: new Date().toISOString(),
    command: options.command,
    profile: options.profile,
    status: overallStatus(suites),
    durationMs: performance.now() - started,
    git: gitState(),
    environment: {
      node: process.version,
      platform: `${process.platform}-${process.arch}`,
      cpus: cpus().length,
    },
    dataDir: options.data.files.leads || options.data.files.ads ? options.data.dir : null,
    judge: options.judge?.model ?? null,
    suites,
  };
  return { report, charts, missing };
}
