import type { Progress } from "./progress.js";
import { type LoadResult, median } from "./stats.js";

/** Options every suite receives from the command line. */
export interface BenchSettings {
  durationS: number;
  warmupS: number;
  connections: number;
  /** WebSocket calls kept in flight per connection. */
  inFlight: number;
  /** Times a comparison suite repeats its baseline/ours pairs; ratios are the median over rounds. */
  rounds: number;
}

export interface Measurement {
  target: string;
  transport: "http" | "ws";
  method: string;
  result: LoadResult;
  /** Server CPU time (user + system) per answered call in the measured window, µs. */
  serverCpuUsPerCall: number;
  /** CPU the load generator (the parent process) used in the window, % of one core. */
  generatorCpuPercent: number;
  /** CPU other processes on the machine used in the window, % of one core. */
  otherCpuPercent: number;
  /** Set when several rounds were run: the req/s of each, in order (the figures above are the median round). */
  roundsReqPerSec?: number[];
}

/** Ours against a baseline on one transport: the ratio of req/s and whether it meets the goal. */
export interface Comparison {
  transport: "http" | "ws";
  ours: string;
  baseline: string;
  /** ours req/s ÷ baseline req/s: what the goal applies to. */
  ratio: number;
  /** baseline server CPU per call ÷ ours: the same question asked of CPU time, steadier on a busy host. */
  cpuRatio: number;
  goal: number;
  verdict: "PASS" | "BELOW";
  /** Other processes used the CPUs in most pairs' windows: the verdict is not to be trusted. */
  disturbed: boolean;
}

export interface SuiteReport {
  suite: string;
  measurements: Measurement[];
  comparisons: Comparison[];
  /** Caveats that belong beside the figures (fallbacks, errors seen). */
  notes: string[];
  /** Why the suite measured nothing, when it could not run. */
  skipped?: string;
}

export interface Suite {
  name: string;
  summary: string;
  run(settings: BenchSettings, progress: Progress): Promise<SuiteReport>;
}

/** Other processes using this much of a core during a window make its req/s untrustworthy. */
export const disturbedAbovePercent = 20;

export const isDisturbed = (m: Measurement) => m.otherCpuPercent >= disturbedAbovePercent;

/**
 * Compares ours with the baseline round by round (each pair ran back to back, under the same conditions
 * on a shared machine) and keeps the median ratio.
 */
export function compareRounds(
  transport: Comparison["transport"],
  ours: readonly Measurement[],
  baseline: readonly Measurement[],
  goal: number,
): Comparison {
  const pairs = ours.map((m, i) => [m, baseline[i] as Measurement] as const);
  const ratio = median(pairs.map(([o, b]) => o.result.reqPerSec / b.result.reqPerSec));
  const cpuRatio = median(pairs.map(([o, b]) => b.serverCpuUsPerCall / o.serverCpuUsPerCall));
  const disturbedPairs = pairs.filter(([o, b]) => isDisturbed(o) || isDisturbed(b)).length;
  return {
    transport,
    ours: ours[0]?.target ?? "ours",
    baseline: baseline[0]?.target ?? "baseline",
    ratio,
    cpuRatio,
    goal,
    verdict: ratio >= goal ? "PASS" : "BELOW",
    disturbed: disturbedPairs * 2 > pairs.length,
  };
}

/** The round with the median req/s (the lower one of the middle two), carrying every round's req/s. */
export function medianRound(rounds: readonly Measurement[]): Measurement {
  const sorted = [...rounds].sort((a, b) => a.result.reqPerSec - b.result.reqPerSec);
  const chosen = sorted[Math.floor((sorted.length - 1) / 2)];
  if (!chosen) throw new Error("no rounds measured");
  return rounds.length === 1 ? chosen : { ...chosen, roundsReqPerSec: rounds.map((r) => r.result.reqPerSec) };
}
