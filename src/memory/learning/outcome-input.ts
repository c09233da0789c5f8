import { z } from "zod";
import { OUTCOME_EVENTS } from "../../db/schema.js";

/** An observed outcome, as `outcomes.record` takes it (the JSON-RPC params and the library API). */
export const OutcomeInput = z
  .object({
    /** Recording the same key again changes nothing and returns the first recording's ids. */
    idempotencyKey: z.string().min(1).max(200),
    leadId: z.uuid(),
    event: z.enum(OUTCOME_EVENTS),
    campaignId: z.uuid().optional(),
    /** The content variant the lead was shown: a template id such as "email-now-role", or a campaign variant's uuid. */
    variantId: z.string().trim().min(1).max(200).optional(),
    /** When it happened (ISO 8601 with offset); default now. */
    at: z.union([z.iso.datetime({ offset: true }), z.date()]).optional(),
  })
  .strict();
export type OutcomeInput = z.input<typeof OutcomeInput>;

export interface VariantTally {
  variantId: string;
  segment: string;
  trials: number;
  successes: number;
}

export interface OutcomeRecorded {
  /** False when the idempotency key had been recorded before: nothing changed. */
  recorded: boolean;
  outcomeId: number;
  episodeId: number | null;
  segment: string;
  reward: number;
  /** The variant's statistics in its segment after this outcome, when a variant was given. */
  variant: VariantTally | null;
}
