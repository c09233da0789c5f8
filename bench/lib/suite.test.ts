import { describe, expect, it } from "vitest";
import type { LoadResult } from "./stats.js";
import { compareRounds, type Measurement, medianRound } from "./suite.js";

const measured = (target: string, reqPerSec: number, serverCpuUsPerCall: number): Measurement => {
  const result: LoadResult = {
    requests: reqPerSec,
    errors: 0,
    elapsedS: 1,
    reqPerSec,
    latency: { count: 1, mean: 1, p50: 1, p90: 1, p99: 1, max: 1 },
  };
  return {
    target,
    transport: "http",
    method: "bench.echo",
    result,
    serverCpuUsPerCall,
    generatorCpuPercent: 50,
    otherCpuPercent: 0,
  };
};

describe("compareRounds", () => {
  it("takes the median of per-round ratios, so one disturbed round does not decide", () => {
    const baseline = [measured("b", 1000, 40), measured("b", 500, 40), measured("b", 1000, 40)];
    const ours = [measured("o", 850, 50), measured("o", 100, 50), measured("o", 800, 50)];
    const comparison = compareRounds("http", ours, baseline, 0.8);
    expect(comparison.ratio).toBeCloseTo(0.8);
    expect(comparison.cpuRatio).toBeCloseTo(0.8);
    expect(comparison.verdict).toBe("PASS");
  });

  it("flags the verdict when other processes disturbed most pairs", () => {
    const busy = { ...measured("b", 100, 1), otherCpuPercent: 60 };
    expect(compareRounds("ws", [measured("o", 95, 1)], [busy], 0.9).disturbed).toBe(true);
    expect(compareRounds("ws", [measured("o", 95, 1)], [measured("b", 100, 1)], 0.9).disturbed).toBe(false);
  });

  it("says BELOW under the goal", () => {
    expect(compareRounds("ws", [measured("o", 89, 1)], [measured("b", 100, 1)], 0.9).verdict).toBe("BELOW");
  });
});

describe("medianRound", () => {
  it("keeps the median round's figures and lists every round's req/s", () => {
    const chosen = medianRound([measured("o", 300, 1), measured("o", 100, 1), measured("o", 200, 1)]);
    expect(chosen.result.reqPerSec).toBe(200);
    expect(chosen.roundsReqPerSec).toEqual([300, 100, 200]);
  });
});
