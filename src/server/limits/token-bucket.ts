/**
 * Token buckets keyed by caller: each holds up to `burst` tokens and refills at `perMinute / 60` tokens a
 * second; a call takes one. Pure apart from the clock, which is passed in, so tests use exact times.
 */
export interface TokenBucketOptions {
  perMinute: number;
  burst: number;
  /** Buckets kept at most; the least recently used full one goes first (memory stays bounded). */
  maxKeys?: number;
}

export type Take = { ok: true; remaining: number } | { ok: false; retryAfterMs: number };

export interface TokenBuckets {
  take(key: string, nowMs: number): Take;
  readonly size: number;
}

interface Bucket {
  tokens: number;
  at: number;
}

export function createTokenBuckets(options: TokenBucketOptions): TokenBuckets {
  const perMs = options.perMinute / 60_000;
  const maxKeys = options.maxKeys ?? 100_000;
  // A Map iterates in insertion order: deleting and re-inserting on use makes it an LRU.
  const buckets = new Map<string, Bucket>();

  return {
    take(key, nowMs) {
      const bucket = buckets.get(key) ?? { tokens: options.burst, at: nowMs };
      buckets.delete(key);
      bucket.tokens = Math.min(options.burst, bucket.tokens + Math.max(0, nowMs - bucket.at) * perMs);
      bucket.at = nowMs;
      buckets.set(key, bucket);
      if (buckets.size > maxKeys) buckets.delete(buckets.keys().next().value as string);
      if (bucket.tokens >= 1) {
        bucket.tokens -= 1;
        return { ok: true, remaining: Math.floor(bucket.tokens) };
      }
      return { ok: false, retryAfterMs: Math.ceil((1 - bucket.tokens) / perMs) };
    },
    get size() {
      return buckets.size;
    },
  };
}
