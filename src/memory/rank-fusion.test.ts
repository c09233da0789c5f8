import { describe, expect, it } from "vitest";
import { reciprocalRankFusion } from "./rank-fusion.js";

describe("reciprocalRankFusion", () => {
  it("sums 1/(k + rank) over the lists (hand-computed, k = 60)", () => {
    const fused = reciprocalRankFusion([
      { name: "vector", ids: ["a", "b", "c"] },
      { name: "keyword", ids: ["b", "c", "d"] },
    ]);
    expect(fused.map((f) => f.id)).toEqual(["b", "c", "a", "d"]);
    expect(fused[0]!.score).toBeCloseTo(1 / 62 + 1 / 61, 15); // 0.032522…
    expect(fused[1]!.score).toBeCloseTo(1 / 63 + 1 / 62, 15); // 0.032002…
    expect(fused[2]!.score).toBeCloseTo(1 / 61, 15);
    expect(fused[3]!.score).toBeCloseTo(1 / 63, 15);
    expect(fused[0]!.ranks).toEqual({ vector: 2, keyword: 1 });
    expect(fused[3]!.ranks).toEqual({ keyword: 3 });
  });

  it("applies weights and a custom k", () => {
    const fused = reciprocalRankFusion(
      [
        { name: "x", ids: [1, 2] },
        { name: "y", ids: [2, 1], weight: 3 },
      ],
      { k: 0 },
    );
    // 1: 1/1 + 3/2 = 2.5; 2: 1/2 + 3/1 = 3.5
    expect(fused).toEqual([
      { id: 2, score: 3.5, ranks: { x: 2, y: 1 } },
      { id: 1, score: 2.5, ranks: { x: 1, y: 2 } },
    ]);
  });

  it("counts a repeated id once, at its best rank, and breaks ties by best rank then first appearance", () => {
    const fused = reciprocalRankFusion([
      { name: "a", ids: ["p", "q", "p"] },
      { name: "b", ids: ["q", "p"] },
    ]);
    // p: 1/61 + 1/62, q: 1/62 + 1/61: equal sums; both have best rank 1; p appeared first.
    expect(fused.map((f) => f.id)).toEqual(["p", "q"]);
    expect(fused[0]!.score).toBe(fused[1]!.score);
  });

  it("returns nothing for no lists and rejects a negative k", () => {
    expect(reciprocalRankFusion([])).toEqual([]);
    expect(() => reciprocalRankFusion([], { k: -1 })).toThrow(RangeError);
  });
});
