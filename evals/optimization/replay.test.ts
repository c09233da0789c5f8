import { describe, expect, it } from "vitest";
import { OptimizationError } from "../../src/agents/optimization/errors.js";
import { mulberry32 } from "../../src/agents/optimization/random.js";
import {
  bestFixedArm,
  defaultAdsCsvPath,
  parseAdsCsv,
  type ReplayPolicy,
  replayAll,
  replayPolicy,
  thompsonPolicy,
  ucbPolicy,
} from "./replay.js";

const rows = (matrix: number[][]) => matrix.map((r) => Uint8Array.from(r));

describe("parseAdsCsv", () => {
  it("strips the byte order mark, accepts CRLF and reads 0/1 cells", () => {
    const parsed = parseAdsCsv("\uFEFFAd 1,Ad 2\r\n1,0\r\n0,1\r\n");
    expect(parsed.arms).toEqual(["Ad 1", "Ad 2"]);
    expect(parsed.rows.map((r) => [...r])).toEqual([
      [1, 0],
      [0, 1],
    ]);
  });

  it("rejects anything but 0 or 1, naming the row and column", () => {
    expect(() => parseAdsCsv("a,b\n1,2\n")).toThrow(OptimizationError);
    expect(() => parseAdsCsv("a,b\n1,2\n")).toThrow(/row 2, b/);
    expect(() => parseAdsCsv("a,b\n")).toThrow(/at least one round/);
  });
});

describe("replay core", () => {
  const matrix = rows([
    [1, 0],
    [0, 1],
    [1, 0],
    [1, 0],
    [0, 0],
  ]);

  it("credits a policy with the reward of the arm it picked, round by round", () => {
    const alwaysSecond: ReplayPolicy = {
      name: "random",
      description: "always arm 1",
      start: () => ({ choose: () => 1, observe: () => {} }),
    };
    expect([...replayPolicy(matrix, alwaysSecond, mulberry32(1))]).toEqual([0, 1, 1, 1, 1]);
  });

  it("UCB by hand: tries each arm, ties to the lower index, then follows the index", () => {
    // t=3: one pull each, both means 1 → tie → arm 0 (pays 1).
    // t=4: arm 0 = 1 + sqrt(1.5 ln 4 / 2) = 2.02, arm 1 = 1 + sqrt(1.5 ln 4 / 1) = 2.44 → arm 1 (pays 0).
    // t=5: arm 0 = 1 + sqrt(1.5 ln 5 / 2) = 2.10, arm 1 = 0.5 + 1.10 = 1.60 → arm 0 (pays 0).
    expect([...replayPolicy(matrix, ucbPolicy, mulberry32(1))]).toEqual([1, 2, 3, 3, 3]);
  });

  it("finds the best fixed arm in hindsight", () => {
    const best = bestFixedArm(matrix);
    expect(best.arm).toBe(0);
    expect([...best.cumulative]).toEqual([1, 1, 2, 3, 3]);
  });

  it("summarises seeds and samples regret at checkpoints and the last round", () => {
    const report = replayAll(["a", "b"], matrix, { seeds: 3, checkpointEvery: 2 });
    expect(report.bestFixed).toEqual({ arm: "a", total: 3 });
    const ucb = report.policies.find((p) => p.policy === "ucb")!;
    expect(ucb.totals).toEqual([3, 3, 3]);
    expect(ucb.regret.map((r) => r.round)).toEqual([2, 4, 5]);
    // Best fixed after 2 rounds: 1; UCB: 2 → regret −1 (a policy can beat a fixed arm on a prefix).
    expect(ucb.regret[0]).toEqual({ round: 2, median: -1, min: -1, max: -1 });
    const bestFixed = report.policies.find((p) => p.policy === "best-fixed")!;
    expect(bestFixed.regret.every((r) => r.median === 0)).toBe(true);
  });

  it("is deterministic for a seed", () => {
    const a = replayPolicy(matrix, thompsonPolicy, mulberry32(7));
    const b = replayPolicy(matrix, thompsonPolicy, mulberry32(7));
    expect([...a]).toEqual([...b]);
  });
});

describe("defaultAdsCsvPath", () => {
  it("prefers DATASETS_DIR, else the shared folder beside the repository", () => {
    expect(defaultAdsCsvPath({ DATASETS_DIR: "/data" })).toBe("/data/ads-ctr/ads-ctr.csv");
    expect(defaultAdsCsvPath({})).toMatch(/shared\/datasets\/ads-ctr\/ads-ctr\.csv$/);
  });
});
