import { existsSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { defaultAdsCsvPath, type ReplayReport, runAdsReplay } from "./replay.js";

const csvPath = defaultAdsCsvPath();
const present = existsSync(csvPath);
if (!present) console.warn(`skipping the ads-ctr replay: ${csvPath} not found (set DATASETS_DIR)`);

describe.skipIf(!present)("ads-ctr replay, 10,000 rounds × 10 ads, 20 seeds", () => {
  let report: ReplayReport;
  const policy = (name: string) => report.policies.find((p) => p.policy === name)!;

  it("runs in a few seconds", async () => {
    const started = performance.now();
    report = await runAdsReplay({ csvPath, seeds: 20 });
    expect(performance.now() - started).toBeLessThan(10_000);
    expect(report.rounds).toBe(10_000);
    expect(report.arms).toHaveLength(10);
  });

  it("reproduces the README's deterministic baselines exactly", () => {
    expect(report.bestFixed).toEqual({ arm: "Ad 5", total: 2695 });
    expect(policy("ucb").totals.every((t) => t === 2178)).toBe(true);
  });

  it("random lands near its expectation (Σ clicks / 10 = 1,238.7; README median 1,242)", () => {
    expect(Math.abs(policy("random").median - 1238.7)).toBeLessThan(40);
  });

  it("the agent's Thompson sampling reaches the README's median of 2,586 and beats UCB on every seed", () => {
    const thompson = policy("thompson");
    expect(thompson.median).toBeGreaterThanOrEqual(2586);
    expect(thompson.min).toBeGreaterThan(policy("ucb").max);
  });

  it("samples regret curves every 100 rounds, consistent with the totals", () => {
    for (const p of report.policies) {
      expect(p.regret).toHaveLength(100);
      expect(p.regret.at(-1)!.round).toBe(10_000);
      // The best fixed arm is the same on every seed, so the median regret is 2,695 − the median total.
      expect(p.regret.at(-1)!.median).toBe(2695 - p.median);
    }
  });
});
