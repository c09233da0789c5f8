import { describe, expect, it } from "vitest";
import { createTokenBuckets } from "./token-bucket.js";

describe("token buckets", () => {
  it("allows a burst, then one call per refill interval, and says how long to wait", () => {
    const buckets = createTokenBuckets({ perMinute: 60, burst: 3 });
    const t0 = 1_000_000;
    expect([1, 2, 3].map(() => buckets.take("a", t0).ok)).toEqual([true, true, true]);
    expect(buckets.take("a", t0)).toEqual({ ok: false, retryAfterMs: 1_000 });
    expect(buckets.take("a", t0 + 400)).toEqual({ ok: false, retryAfterMs: 600 });
    expect(buckets.take("a", t0 + 1_000)).toEqual({ ok: true, remaining: 0 });
    // Idle for a long time refills to the burst, not beyond.
    expect(buckets.take("a", t0 + 3_600_000)).toEqual({ ok: true, remaining: 2 });
  });

  it("keeps callers apart", () => {
    const buckets = createTokenBuckets({ perMinute: 1, burst: 1 });
    expect(buckets.take("a", 0).ok).toBe(true);
    expect(buckets.take("a", 0).ok).toBe(false);
    expect(buckets.take("b", 0).ok).toBe(true);
  });

  it("bounds memory by forgetting the least recently used caller", () => {
    const buckets = createTokenBuckets({ perMinute: 1, burst: 1, maxKeys: 2 });
    buckets.take("a", 0);
    buckets.take("b", 0);
    buckets.take("a", 1);
    buckets.take("c", 2);
    expect(buckets.size).toBe(2);
    // "a" was used after "b", so "b" was evicted: "a" is still empty, "b" starts again with a full bucket.
    expect(buckets.take("a", 3).ok).toBe(false);
    expect(buckets.take("b", 3).ok).toBe(true);
  });
});
