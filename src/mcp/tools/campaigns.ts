import { z } from "zod";
import { NotFoundError } from "../errors.js";
import { defineTool } from "../tool.js";
import { CampaignMetricsOutput, CampaignSummaryOutput } from "./outputs.js";

/** Campaign tools: what the optimization agent reads. */

export const campaignsList = defineTool({
  name: "campaigns_list",
  title: "List campaigns",
  description:
    "The caller's tenant's campaigns, newest first (id, name, channel, status, budget), optionally only those in one status. Metrics per campaign: campaign_metrics.",
  permission: "campaigns:read",
  input: z
    .object({
      status: z.string().trim().min(1).max(50).optional(),
      limit: z.number().int().min(1).max(200).default(50),
    })
    .strict(),
  output: z.object({ campaigns: z.array(CampaignSummaryOutput).describe("Newest first; at most `limit`.") }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  run: async ({ status, limit }, { principal, deps }) => ({
    campaigns: await deps.crm.listCampaigns(principal.tenantId, { limit, ...(status ? { status } : {}) }),
  }),
});

export const campaignMetrics = defineTool({
  name: "campaign_metrics",
  title: "Campaign metrics",
  description:
    "A campaign's variants with impressions, conversions, conversion rate, the Beta posterior mean and cost; optionally for one segment's reported results only.",
  permission: "campaigns:read",
  input: z
    .object({
      campaignId: z.uuid(),
      segment: z.string().trim().min(1).max(200).optional(),
    })
    .strict(),
  output: CampaignMetricsOutput,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  target: (args) => args.campaignId,
  async run({ campaignId, segment }, { principal, deps }) {
    const metrics = await deps.crm.campaignMetrics(principal.tenantId, campaignId, segment);
    if (!metrics) throw new NotFoundError("campaign", campaignId);
    return metrics;
  },
});

export const variantStats = defineTool({
  name: "variant_stats",
  title: "Variant statistics of a segment",
  description:
    "Trials and successes per content variant (a template id such as email-now-role, or a campaign variant's id) among leads of one segment, from recorded outcomes: the evidence the optimization agent's Thompson sampling weighs. The segment is derived from the lead's source and triage class; a variant never shown there has zero trials.",
  permission: "campaigns:read",
  input: z
    .object({
      variantIds: z.array(z.string().trim().min(1).max(200)).min(1).max(50),
      source: z.string().trim().max(200).nullable().optional().describe("The lead's acquisition source."),
      class: z.string().trim().max(50).nullable().optional().describe("The lead's triage class."),
    })
    .strict(),
  output: z.object({
    segment: z.string(),
    variants: z.array(
      z.object({
        variantId: z.string(),
        trials: z.number().int().min(0),
        successes: z.number().int().min(0),
      }),
    ),
  }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  async run({ variantIds, source, class: leadClass }, { principal, deps }) {
    const memory = deps.memory.forTenant(principal.tenantId);
    const segmentInput = { source: source ?? null, class: leadClass ?? null };
    const tallies = await memory.variantStats(segmentInput, variantIds);
    return {
      segment: deps.memory.segmentOf(segmentInput),
      variants: tallies.map(({ variantId, trials, successes }) => ({ variantId, trials, successes })),
    };
  },
});
