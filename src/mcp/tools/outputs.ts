import { z } from "zod";
import { LeadRecord } from "../../db/lead-record.js";
import type { CampaignMetrics, CampaignSummary, CrmLead } from "../crm/connector.js";

/**
 * The records the tools return, as zod schemas: each tool's `outputSchema` is built from these, and a
 * tool's structured result is parsed with its schema before it is sent (so it holds exactly the fields
 * the schema lists). The type assertions at the end keep these in step with the connector's interfaces.
 */

const IsoTime = z.iso.datetime({ offset: true });

/** The db layer's one declaration of a lead leaving the process. */
export const CrmLeadOutput = LeadRecord;

export const CampaignSummaryOutput = z.object({
  id: z.uuid(),
  name: z.string(),
  channel: z.string().nullable(),
  status: z.string(),
  budget: z.number().nullable(),
  createdAt: IsoTime,
});

export const CampaignMetricsOutput = z.object({
  campaign: CampaignSummaryOutput,
  variants: z.array(
    z.object({
      variantId: z.string(),
      name: z.string(),
      channel: z.string().nullable(),
      impressions: z.number().int().min(0),
      conversions: z.number().int().min(0),
      conversionRate: z.number().nullable().describe("conversions / impressions; null before the first."),
      posteriorMean: z.number().describe("Mean of the Beta(1 + conversions, 1 + failures) posterior."),
      cost: z.number().nullable(),
    }),
  ),
  totals: z.object({
    impressions: z.number().int().min(0),
    conversions: z.number().int().min(0),
    cost: z.number().nullable(),
  }),
  segments: z.array(z.string()).describe("Segments results were reported for."),
});

export const EntityRefOutput = z.object({ id: z.string(), type: z.string(), name: z.string() });

/** The triage agent's result as `triage_run` returns it; fields beyond these pass through. */
export const TriageOutput = z.looseObject({
  score: z.number().min(0).max(1).describe("Calibrated probability that the lead converts."),
  class: z.enum(["hot", "warm", "cold", "disqualified"]),
  factors: z.array(
    z.object({ feature: z.string(), contribution: z.number(), direction: z.enum(["+", "-"]) }),
  ),
  reasons: z.array(z.string()),
  scoringModel: z.string(),
  model: z.string(),
  handoff: z.object({ to: z.string(), reason: z.string() }),
});
export type TriageOutput = z.infer<typeof TriageOutput>;

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
type Assert<T extends true> = T;
/** Compile-time checks: the schemas and the connector's interfaces describe the same records. */
export type OutputsMatchConnector = [
  Assert<Same<z.infer<typeof CrmLeadOutput>, CrmLead>>,
  Assert<Same<z.infer<typeof CampaignSummaryOutput>, CampaignSummary>>,
  Assert<Same<z.infer<typeof CampaignMetricsOutput>, CampaignMetrics>>,
];
