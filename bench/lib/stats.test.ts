import { describe, expect, it } from "vitest";
import { LatencyRecorder, median, percentile, summarize } from "./stats.js";

describe("percentile (nearest rank)", () => {
  // Known answers from https://en.wikipedia.org/wiki/Percentile#The_nearest-rank_method
  const sorted = [15, 20, 35, 40, 50];

  it("returns measured values, never interpolations", () => {
    expect(percentile(sorted, 5)).toBe(15);
    expect(percentile(sorted, 30)).toBe(20);
    expect(percentile(sorted, 40)).toBe(20);
    expect(percentile(sorted, 50)).toBe(35);
    expect(percentile(sorted, 100)).toBe(50);
  });

  it("clamps p = 0 to the smallest sample and is NaN without samples", () => {
    expect(percentile(sorted, 0)).toBe(15);
    expect(percentile([], 50)).toBeNaN();
  });
});

describe("summarize", () => {
  it("sorts numerically and leaves the input order alone", () => {
    const samples = Float64Array.from([10, 9, 100, 1, 2]);
    expect(summarize(samples)).toEqual({ count: 5, mean: 24.4, p50: 9, p90: 100, p99: 100, max: 100 });
    expect([...samples]).toEqual([10, 9, 100, 1, 2]);
  });

  it("puts p99 at the 990th of 1000 samples", () => {
    const samples = Float64Array.from({ length: 1000 }, (_, i) => 1000 - i);
    const summary = summarize(samples);
    expect(summary.p50).toBe(500);
    expect(summary.p99).toBe(990);
  });
});

describe("LatencyRecorder", () => {
  it("keeps every sample while growing past its initial capacity", () => {
    const recorder = new LatencyRecorder();
    for (let i = 1; i <= 200_000; i++) recorder.record(i);
    const summary = recorder.summary();
    expect(summary.count).toBe(200_000);
    expect(summary.p50).toBe(100_000);
    expect(summary.max).toBe(200_000);
  });
});

describe("median", () => {
  it("takes the middle value, or the mean of the middle two", () => {
    expect(median([3, 1, 2])).toBe(2);
    expect(median([4, 1, 3, 2])).toBe(2.5);
    expect(median([])).toBeNaN();
  });
});
