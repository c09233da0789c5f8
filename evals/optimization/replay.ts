/**
 * Offline replay of the optimization agent's bandit on the "Ads CTR Optimisation" data
 * (/work/shared/datasets/README.md, ads-ctr section): in round t the policy picks one of the ten ads and
 * receives that row's click (1) or no click (0). Reported against the README's baselines: best fixed ad
 * in hindsight, uniform random, UCB with bonus sqrt(1.5 ln t / n), Thompson sampling with Beta(1, 1).
 *
 * The policies learn only from the rewards of the ads they picked; the best fixed arm alone uses
 * hindsight, as a yardstick. The replay core is pure; only `runAdsReplay` reads the file.
 */
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parse } from "csv-parse/sync";
import {
  type BetaArm,
  betaArm,
  type CountArm,
  countArm,
  README_UCB_C,
  replaceArm,
  thompsonChoose,
  ucbChoose,
  updateBetaArm,
  updateCountArm,
} from "../../src/agents/optimization/bandit.js";
import { OptimizationError } from "../../src/agents/optimization/errors.js";
import { deriveSeed, mulberry32, type Rng, randomInt } from "../../src/agents/optimization/random.js";

export type ReplayPolicyName = "thompson" | "ucb" | "random" | "best-fixed";

/** A policy under replay: a fresh learner per seed, told only the rewards of its own choices. */
export interface ReplayPolicy {
  readonly name: ReplayPolicyName;
  readonly description: string;
  start(armCount: number, rng: Rng): Learner;
}

export interface Learner {
  choose(): number;
  observe(arm: number, reward: number): void;
}

export interface ReplayOptions {
  readonly csvPath: string;
  /** Seeds 1..seeds are replayed for every policy. */
  readonly seeds: number;
  /** Defaults to every row of the file. */
  readonly rounds?: number;
  /** Regret curves are sampled at multiples of this round count (and at the last round). */
  readonly checkpointEvery?: number;
  /** Called after each (policy, seed) replay, e.g. to drive a progress bar; `total` = policies × seeds. */
  readonly onReplayed?: (done: number, total: number) => void;
}

export interface RegretPoint {
  readonly round: number;
  /** Across seeds, of (best fixed arm's cumulative clicks − the policy's) at this round. */
  readonly median: number;
  readonly min: number;
  readonly max: number;
}

export interface PolicyReport {
  readonly policy: ReplayPolicyName;
  readonly description: string;
  /** Total clicks per seed, seed 1 first. */
  readonly totals: number[];
  readonly median: number;
  readonly min: number;
  readonly max: number;
  readonly regret: RegretPoint[];
}

export interface ReplayReport {
  readonly csvPath: string;
  readonly rounds: number;
  readonly seeds: number;
  readonly arms: string[];
  readonly bestFixed: { readonly arm: string; readonly total: number };
  readonly policies: PolicyReport[];
}

/** The agent's own policy: Beta(1, 1) Thompson sampling from `bandit.ts`, exactly as the node runs it. */
export const thompsonPolicy: ReplayPolicy = {
  name: "thompson",
  description: "Thompson sampling, Beta(1, 1) priors (the optimization agent's policy)",
  start(armCount, rng) {
    let arms: BetaArm[] = Array.from({ length: armCount }, (_, i) => betaArm(String(i)));
    return {
      choose: () => thompsonChoose(arms, rng),
      observe: (arm, reward) => {
        arms = replaceArm(arms, arm, updateBetaArm(arms[arm]!, reward));
      },
    };
  },
};

/** The README's UCB baseline: bonus sqrt(1.5 ln t / n), each ad tried once first. Deterministic. */
export const ucbPolicy: ReplayPolicy = {
  name: "ucb",
  description: "UCB, bonus sqrt(1.5 ln t / n)",
  start(armCount) {
    let arms: CountArm[] = Array.from({ length: armCount }, (_, i) => countArm(String(i)));
    return {
      choose: () => ucbChoose(arms, README_UCB_C),
      observe: (arm, reward) => {
        arms = replaceArm(arms, arm, updateCountArm(arms[arm]!, reward));
      },
    };
  },
};

export const randomPolicy: ReplayPolicy = {
  name: "random",
  description: "uniformly random ad",
  start(armCount, rng) {
    return { choose: () => randomInt(rng, armCount), observe: () => {} };
  },
};

/** Parses the ads CSV (header row of ad names, then 0/1 rows) into one reward row per round. */
export function parseAdsCsv(text: string): { arms: string[]; rows: Uint8Array[] } {
  // The published file starts with a UTF-8 byte order mark; `bom` strips it from the first header.
  const records = parse(text, { bom: true, skip_empty_lines: true, trim: true });
  const [header, ...body] = records;
  if (header === undefined || body.length === 0) {
    throw new OptimizationError("invalid_input", "the ads CSV needs a header row and at least one round");
  }
  const rows = body.map((record, r) => {
    if (record.length !== header.length) {
      throw new OptimizationError(
        "invalid_input",
        `row ${r + 2} has ${record.length} fields, expected ${header.length}`,
      );
    }
    return Uint8Array.from(record, (cell, c) => {
      if (cell !== "0" && cell !== "1") {
        throw new OptimizationError(
          "invalid_input",
          `row ${r + 2}, ${header[c]}: expected 0 or 1, got "${cell}"`,
        );
      }
      return cell === "1" ? 1 : 0;
    });
  });
  return { arms: header, rows };
}

/** Plays one policy over `rows`; returns the cumulative reward after each round (index t = round t+1). */
export function replayPolicy(rows: readonly Uint8Array[], policy: ReplayPolicy, rng: Rng): Int32Array {
  const armCount = rows[0]?.length ?? 0;
  const learner = policy.start(armCount, rng);
  const cumulative = new Int32Array(rows.length);
  let total = 0;
  for (let t = 0; t < rows.length; t++) {
    const arm = learner.choose();
    const reward = rows[t]![arm]!;
    learner.observe(arm, reward);
    total += reward;
    cumulative[t] = total;
  }
  return cumulative;
}

/** The arm with the most reward over `rows` (ties to the lower index) and its cumulative reward curve. */
export function bestFixedArm(rows: readonly Uint8Array[]): { arm: number; cumulative: Int32Array } {
  const armCount = rows[0]?.length ?? 0;
  const totals = new Array<number>(armCount).fill(0);
  for (const row of rows) for (let a = 0; a < armCount; a++) totals[a]! += row[a]!;
  const arm = totals.indexOf(Math.max(...totals));
  const cumulative = new Int32Array(rows.length);
  let total = 0;
  rows.forEach((row, t) => {
    total += row[arm]!;
    cumulative[t] = total;
  });
  return { arm, cumulative };
}

/** Replays every policy over seeds 1..seeds and summarises totals and regret curves. Pure. */
export function replayAll(
  arms: readonly string[],
  rows: readonly Uint8Array[],
  options: {
    seeds: number;
    checkpointEvery?: number;
    policies?: readonly ReplayPolicy[];
    onReplayed?: (done: number, total: number) => void;
  },
): Omit<ReplayReport, "csvPath"> {
  const { seeds, checkpointEvery = 100, policies = [thompsonPolicy, ucbPolicy, randomPolicy] } = options;
  if (!(Number.isInteger(seeds) && seeds >= 1)) {
    throw new OptimizationError("invalid_input", `seeds must be a positive integer, got ${seeds}`);
  }
  const best = bestFixedArm(rows);
  const checkpoints: number[] = [];
  for (let round = checkpointEvery; round <= rows.length; round += checkpointEvery) checkpoints.push(round);
  if (checkpoints.at(-1) !== rows.length) checkpoints.push(rows.length);

  const summarise = (
    policy: ReplayPolicyName,
    description: string,
    curves: readonly Int32Array[],
  ): PolicyReport => {
    const totals = curves.map((c) => c[c.length - 1] ?? 0);
    return {
      policy,
      description,
      totals,
      ...spread(totals),
      regret: checkpoints.map((round) => ({
        round,
        ...spread(curves.map((c) => best.cumulative[round - 1]! - c[round - 1]!)),
      })),
    };
  };

  const seedList = Array.from({ length: seeds }, (_, i) => i + 1);
  let replayed = 0;
  const reports = policies.map((policy) =>
    summarise(
      policy.name,
      policy.description,
      seedList.map((seed) => {
        const curve = replayPolicy(rows, policy, mulberry32(deriveSeed(seed, 0)));
        options.onReplayed?.(++replayed, policies.length * seeds);
        return curve;
      }),
    ),
  );
  const bestFixedReport = summarise(
    "best-fixed",
    "best single ad in hindsight",
    seedList.map(() => best.cumulative),
  );
  return {
    rounds: rows.length,
    seeds,
    arms: [...arms],
    bestFixed: { arm: arms[best.arm]!, total: best.cumulative[rows.length - 1] ?? 0 },
    policies: [...reports, bestFixedReport],
  };
}

/** Reads the CSV at `csvPath` and replays Thompson sampling, UCB, random and the best fixed ad. */
export async function runAdsReplay(options: ReplayOptions): Promise<ReplayReport> {
  const { arms, rows } = parseAdsCsv(await readFile(options.csvPath, "utf8"));
  const rounds = options.rounds ?? rows.length;
  if (!(Number.isInteger(rounds) && rounds >= 1 && rounds <= rows.length)) {
    throw new OptimizationError(
      "invalid_input",
      `rounds must be an integer in [1, ${rows.length}], got ${rounds}`,
    );
  }
  const report = replayAll(arms, rows.slice(0, rounds), {
    seeds: options.seeds,
    checkpointEvery: options.checkpointEvery ?? 100,
    ...(options.onReplayed ? { onReplayed: options.onReplayed } : {}),
  });
  return { csvPath: options.csvPath, ...report };
}

/** `$DATASETS_DIR/ads-ctr/ads-ctr.csv`, else the shared datasets folder beside the repository. */
export function defaultAdsCsvPath(env: Record<string, string | undefined> = process.env): string {
  if (env.DATASETS_DIR) return join(env.DATASETS_DIR, "ads-ctr", "ads-ctr.csv");
  const repoRoot = fileURLToPath(new URL("../../", import.meta.url));
  return resolve(repoRoot, "../shared/datasets/ads-ctr/ads-ctr.csv");
}

function spread(values: readonly number[]): { median: number; min: number; max: number } {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  const median = sorted.length % 2 === 1 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
  return { median, min: sorted[0]!, max: sorted[sorted.length - 1]! };
}

async function main(seeds: number): Promise<void> {
  const report = await runAdsReplay({ csvPath: defaultAdsCsvPath(), seeds });
  const out = fileURLToPath(new URL("../out/optimization/ads-replay.json", import.meta.url));
  await mkdir(dirname(out), { recursive: true });
  await writeFile(out, `${JSON.stringify(report, null, 2)}\n`);
  console.log(`${report.rounds} rounds × ${report.arms.length} ads, ${report.seeds} seeds`);
  for (const p of report.policies) {
    console.log(`${p.policy.padEnd(11)} median ${p.median}  range ${p.min}–${p.max}  (${p.description})`);
  }
  console.log(`curves: ${out}`);
}

// `npx tsx evals/optimization/replay.ts [seeds]` prints the table and writes the curves for charts.
// No top-level await, so importing this module stays synchronous.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main(Number(process.argv[2] ?? 20)).catch((error: unknown) => {
    console.error(error);
    process.exitCode = 1;
  });
}
