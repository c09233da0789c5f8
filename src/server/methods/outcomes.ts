/** The learning loop's input over JSON-RPC: outcomes of outreach, recorded once per idempotency key. */
import { z } from "zod";
import { OutcomeInput } from "../../memory/learning/outcome-input.js";
import { defineMethod } from "../rpc/method.js";
import { memoryCall, memoryOf } from "./memory.js";
import type { Services } from "./services.js";

const Tally = z.object({
  variantId: z.string(),
  segment: z.string(),
  trials: z.number(),
  successes: z.number(),
});

export function outcomeMethods(services: Services) {
  const memory = memoryOf(services);
  return [
    defineMethod({
      name: "outcomes.record",
      description:
        "Records an outcome (sent, opened, clicked, replied, converted, unsubscribed, bounced) of a lead, optionally for a campaign and content variant. Idempotent by idempotencyKey: a retry returns the first recording with recorded=false; the same key with a different outcome is a conflict. Updates the episode log, the lead's profile and the variant's statistics in its segment, which the next run's optimization agent uses.",
      permission: "outcomes:write",
      params: OutcomeInput,
      result: z.object({
        recorded: z.boolean(),
        outcomeId: z.number(),
        episodeId: z.number().nullable(),
        segment: z.string(),
        reward: z.number(),
        variant: Tally.nullable(),
      }),
      handler: (outcome, ctx) =>
        memoryCall(() => memory.forTenant(ctx.principal.tenantId).outcomes.record(outcome)),
    }),
  ];
}
