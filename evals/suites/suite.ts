import type { TopLevelSpec } from "vega-lite";
import type { MarketingSystem } from "../../src/index.js";
import type { DataLocation, DatasetId } from "../harness/data.js";
import type { SuiteProgress } from "../harness/progress.js";
import type { Metric, SectionInput, SuiteId } from "../harness/report.js";
import type { Judge } from "../judge/judge.js";

/** What every suite is: an id, what data it cannot run without, and a run function. */
export interface Suite {
  id: SuiteId;
  title: string;
  /** Datasets without which the suite is skipped (and the command says where to put them). */
  needs: readonly DatasetId[];
  /** Progress steps, for the bar; a suite may refine it with `progress.setTotal`. */
  steps(profile: Profile): number;
  run(context: SuiteContext): Promise<SuiteOutcome>;
}

/** `full` is the published run; `ci` is the small fast subset the build gates on. */
export type Profile = "full" | "ci";

export interface SuiteContext {
  profile: Profile;
  data: DataLocation;
  /** Seeds for anything replayed over seeds (the ads replay). */
  seeds: number;
  progress: SuiteProgress;
  /**
   * A marketing system on `memory://`, created on first use and shared by the suites; the runner closes
   * it. Suites that need another triage model build a system on its `database` (which they do not close).
   */
  system(): Promise<MarketingSystem>;
  /** An LLM-as-judge when a model endpoint is configured; null offline. */
  judge: Judge | null;
  /** Folder of the routing scenarios (`evals/scenarios`). */
  scenariosDir: string;
}

export interface ChartOutput {
  /** SVG file name in the output folder; the suite's chart section refers to it. */
  file: string;
  spec: TopLevelSpec;
}

export interface SuiteOutcome {
  /** Set when the suite decided it cannot run (e.g. the memory layer does not exist yet). */
  skipped?: boolean;
  summary: string;
  metrics: Metric[];
  sections: SectionInput[];
  charts: ChartOutput[];
}
