import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseBackends } from "../../../test/support/database.js";
import { referral } from "../../../test/support/leads.js";
import { mulberry32 } from "../../agents/optimization/random.js";
import type { Database } from "../../db/client.js";
import { createMarketingSystem, type MarketingSystem } from "../../index.js";

/**
 * The learning loop, end to end through the library API: runs choose a variant, outcomes are recorded,
 * and the next run for a lead of the same segment prefers the variant that converts, saying why.
 */
const backends = databaseBackends();

/** The simulated world: referral leads convert on the direct question far more often than on anything else. */
const CONVERSION_RATE: Record<string, number> = {
  "email-now-question": 0.6,
  "email-now-role": 0.05,
  "email-now-activity": 0.05,
  "email-now-plain": 0.05,
};

describe.each(backends)("the learning loop on $name", ({ open }) => {
  let database: Database;
  let system: MarketingSystem;

  beforeAll(async () => {
    database = await open();
    system = await createMarketingSystem({ database });
  });
  afterAll(async () => {
    await system?.close();
    await database?.close();
  });

  it("prefers the message style that converts this segment after outcomes are recorded, and says why", async () => {
    const probe = { ...referral(999), email: "probe@example.com" };
    const before = await system.threads.run({ threadId: "probe-before", input: { lead: probe } });
    expect(before.state.triageResult?.class).toBe("hot");
    expect(before.state.optimizationResult?.selected?.reason).toContain("no outcomes recorded yet");

    // 40 rounds of the real loop: each run's optimization agent picks a variant with what is known so far;
    // the world answers; the outcome is recorded.
    const world = mulberry32(42);
    const sent: Record<string, number> = {};
    for (let i = 0; i < 40; i++) {
      const lead = await system.leads.upsert(referral(i));
      const run = await system.threads.run({
        threadId: `loop-${i}`,
        input: { lead: { ...referral(i), id: lead.id } },
      });
      const variantId = run.state.optimizationResult?.selected?.variantId;
      expect(variantId).toBeDefined();
      sent[variantId!] = (sent[variantId!] ?? 0) + 1;
      await system.outcomes.record({
        idempotencyKey: `sent-${i}`,
        leadId: lead.id,
        event: "sent",
        variantId,
      });
      if (world() < CONVERSION_RATE[variantId!]!) {
        await system.outcomes.record({
          idempotencyKey: `converted-${i}`,
          leadId: lead.id,
          event: "converted",
          variantId,
        });
      }
    }
    const stats = await system.memory.variantStats(
      { source: "Reference", class: "hot" },
      Object.keys(CONVERSION_RATE),
    );
    const question = stats.find((s) => s.variantId === "email-now-question")!;
    const others = stats.filter((s) => s.variantId !== "email-now-question");
    expect(question.trials).toBe(sent["email-now-question"]);
    expect(question.successes / question.trials).toBeGreaterThan(0.4);
    for (const o of others) expect(o.successes / Math.max(1, o.trials)).toBeLessThan(0.2);

    const after = await system.threads.run({ threadId: "probe-after", input: { lead: probe } });
    const selected = after.state.optimizationResult?.selected;
    expect(selected?.variantId).toBe("email-now-question");
    expect(selected!.probabilityBest).toBeGreaterThan(0.95);
    // The reason cites the segment's numbers for the chosen variant.
    expect(selected?.reason).toContain(`${question.successes}/${question.trials} successes so far`);
    expect(after.state.messages.at(-1)?.content ?? "").toContain(selected!.reason);
    console.info(
      `[loop] sent per variant ${JSON.stringify(sent)}; segment reference/hot: ${stats
        .map((s) => `${s.variantId} ${s.successes}/${s.trials}`)
        .join(", ")}; next run: ${selected?.reason}`,
    );

    // Another segment has learned nothing from these outcomes.
    const google = await system.threads.run({
      threadId: "probe-google",
      input: { lead: { ...probe, email: "g@example.com", source: "Google" } },
    });
    if (google.state.triageResult?.class === "hot") {
      expect(google.state.optimizationResult?.selected?.reason).toContain("no outcomes recorded yet");
    }
  });
});
