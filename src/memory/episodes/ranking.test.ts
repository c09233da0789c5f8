import { describe, expect, it } from "vitest";
import { type RetrievedEpisode, rankActions } from "./ranking.js";

const now = new Date("2026-03-31T00:00:00Z");
const daysAgo = (d: number) => new Date(now.getTime() - d * 86_400_000);
const ep = (e: Partial<RetrievedEpisode>): RetrievedEpisode => ({
  leadId: "l1",
  action: "send",
  variantId: "v1",
  reward: 0,
  similarity: 1,
  occurredAt: now,
  ...e,
});

describe("rankActions", () => {
  it("computes the shrunk, similarity- and recency-weighted mean reward (hand-computed)", () => {
    const ranked = rankActions(
      [
        // v1: two leads. w = 0.8 (today) and 0.5 · 0.5 = 0.25 (one half-life ago).
        ep({ leadId: "a", variantId: "v1", reward: 1, similarity: 0.8 }),
        ep({ leadId: "b", variantId: "v1", reward: 0, similarity: 0.5, occurredAt: daysAgo(30) }),
        // v2: one lead, w = 0.9.
        ep({ leadId: "c", variantId: "v2", reward: 0.6, similarity: 0.9 }),
      ],
      { now },
    );
    // v1: (0.8·1 + 0.25·0) / (1.05 + 1) = 0.390243…; v2: 0.9·0.6 / 1.9 = 0.284210…
    expect(ranked.map((r) => r.variantId)).toEqual(["v1", "v2"]);
    expect(ranked[0]).toMatchObject({ interactions: 2, successes: 1 });
    expect(ranked[0]!.score).toBeCloseTo(0.8 / 2.05, 12);
    expect(ranked[0]!.support).toBeCloseTo(1.05, 12);
    expect(ranked[1]!.score).toBeCloseTo(0.54 / 1.9, 12);
  });

  it("counts a lead's sent → opened → converted as one interaction at its best reward", () => {
    const ranked = rankActions(
      [
        ep({ reward: 0, occurredAt: daysAgo(2) }),
        ep({ reward: 0.1, occurredAt: daysAgo(1) }),
        ep({ reward: 1, similarity: 0.5 }),
      ],
      { now, priorWeight: 0 },
    );
    expect(ranked).toHaveLength(1);
    expect(ranked[0]).toMatchObject({ interactions: 1, successes: 1, score: 1 });
  });

  it("lets ample consistent evidence beat a single lucky success, and ignores dissimilar leads", () => {
    const lucky = [ep({ leadId: "x", variantId: "lucky", reward: 1 })];
    const steady = Array.from({ length: 20 }, (_, i) =>
      ep({ leadId: `s${i}`, variantId: "steady", reward: i < 15 ? 1 : 0 }),
    );
    const opposite = [ep({ leadId: "o", variantId: "far", reward: 1, similarity: -0.4 })];
    const ranked = rankActions([...lucky, ...steady, ...opposite], { now });
    expect(ranked.map((r) => r.variantId)).toEqual(["steady", "lucky", "far"]);
    expect(ranked[0]!.score).toBeCloseTo(15 / 21, 12);
    expect(ranked[1]!.score).toBeCloseTo(0.5, 12);
    expect(ranked[2]).toMatchObject({ score: 0, support: 0 });
  });

  it("validates its parameters", () => {
    expect(() => rankActions([], { now, halfLifeDays: 0 })).toThrow(RangeError);
    expect(rankActions([], { now })).toEqual([]);
  });
});
