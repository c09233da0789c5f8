import { describe, expect, it } from "vitest";
import { runOptimization } from "./node.js";

describe("runOptimization", () => {
  it("enrols a lead with nothing drafted in the nurture campaign", () => {
    const { result, handoff } = runOptimization({ variantIds: [], stats: [], seed: 1 });
    expect(result.selected).toBeNull();
    expect(handoff.reason).toMatch(/nurture/);
  });

  it("picks the variant with the strong track record almost always, and explains with its numbers", () => {
    const stats = [
      { variantId: "a", successes: 5, trials: 200 },
      { variantId: "b", successes: 60, trials: 200 },
      { variantId: "c", successes: 10, trials: 200 },
    ];
    const picks = Array.from({ length: 200 }, (_, seed) =>
      runOptimization({ variantIds: ["a", "b", "c"], stats, seed }),
    );
    const chosenB = picks.filter((p) => p.result.selected?.variantId === "b").length;
    expect(chosenB).toBeGreaterThanOrEqual(198);
    const first = picks[0]!.result;
    expect(first.selected?.reason).toContain("60/200 successes");
    expect(first.arms.find((a) => a.variantId === "b")).toMatchObject({ alpha: 61, beta: 141 });
    expect(first.arms.reduce((s, a) => s + a.probabilityBest, 0)).toBeCloseTo(1, 6);
  });

  it("explores evenly between variants with no evidence, and is deterministic per seed", () => {
    const ids = ["a", "b", "c"];
    const counts = new Map<string, number>();
    for (let seed = 0; seed < 600; seed++) {
      const id = runOptimization({ variantIds: ids, stats: [], seed }).result.selected!.variantId;
      counts.set(id, (counts.get(id) ?? 0) + 1);
    }
    for (const id of ids) expect(counts.get(id)).toBeGreaterThan(150);
    expect(runOptimization({ variantIds: ids, stats: [], seed: 7 })).toEqual(
      runOptimization({ variantIds: ids, stats: [], seed: 7 }),
    );
  });
});

describe("a lead's pending reply", () => {
  it("goes to engagement before any campaign decision", () => {
    const { result, handoff } = runOptimization({ variantIds: [], stats: [], seed: 1, pendingReply: true });
    expect(result.selected).toBeNull();
    expect(handoff).toEqual({
      to: "engagement",
      reason: "the lead sent a message: engagement reads it before any campaign step",
    });
  });
});
