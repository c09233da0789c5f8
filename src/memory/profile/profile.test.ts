import { describe, expect, it } from "vitest";
import { applyProfilePatch, emptyProfile, PROFILE_LIMITS, renderProfile } from "./profile.js";

const t1 = new Date("2026-03-01T10:00:00Z");
const t2 = new Date("2026-03-02T10:00:00Z");

describe("applyProfilePatch", () => {
  it("sets entries attributed to the agent and lists each change", () => {
    const { block, changes } = applyProfilePatch(
      emptyProfile(),
      { stage: "triaged", facts: { budget: "50k", seats: 40 }, preferences: { channel: "email" } },
      "triage",
      t1,
    );
    expect(block.stage).toEqual({ value: "triaged", by: "triage", at: t1.toISOString() });
    expect(block.facts.seats).toEqual({ value: 40, by: "triage", at: t1.toISOString() });
    expect(changes).toEqual([
      { path: "stage", before: null, after: "triaged" },
      { path: "facts.budget", before: null, after: "50k" },
      { path: "facts.seats", before: null, after: 40 },
      { path: "preferences.channel", before: null, after: "email" },
    ]);
  });

  it("changes nothing, not even attribution, when a value is set again; removes with null", () => {
    const first = applyProfilePatch(
      emptyProfile(),
      { facts: { plan: { tier: "pro", seats: 5 } } },
      "triage",
      t1,
    ).block;
    const same = applyProfilePatch(first, { facts: { plan: { seats: 5, tier: "pro" } } }, "engagement", t2);
    expect(same.changes).toEqual([]);
    expect(same.block).toBe(first);
    const removed = applyProfilePatch(first, { facts: { plan: null, absent: null } }, "operator", t2);
    expect(removed.block.facts).toEqual({});
    expect(removed.changes).toEqual([{ path: "facts.plan", before: { tier: "pro", seats: 5 }, after: null }]);
    expect(first.facts.plan).toBeDefined(); // the input block is not mutated
  });

  it("records the last touch with who made it", () => {
    const { block } = applyProfilePatch(
      emptyProfile(),
      { lastTouch: { event: "sent", channel: "email", variantId: "email-now-role" } },
      "optimization",
      t2,
    );
    expect(renderProfile(block)).toBe(
      `last touch: sent, email, variant email-now-role at ${t2.toISOString()} (by optimization)`,
    );
  });

  it("enforces the size limits and entry names", () => {
    const many = Object.fromEntries(
      Array.from({ length: PROFILE_LIMITS.entries + 1 }, (_, i) => [`f${i}`, i]),
    );
    expect(() => applyProfilePatch(emptyProfile(), { facts: many }, "triage", t1)).toThrow(
      /at most 50 facts/,
    );
    expect(() =>
      applyProfilePatch(emptyProfile(), { facts: { long: "x".repeat(600) } }, "triage", t1),
    ).toThrow(/longer than 500/);
    expect(() => applyProfilePatch(emptyProfile(), { facts: { "bad name": 1 } }, "triage", t1)).toThrow();
  });
});
