import { getCampaign, listCampaigns, resultTotals, segmentsOf } from "../../db/campaigns.js";
import type { Db } from "../../db/client.js";
import { leadRecordOf } from "../../db/lead-record.js";
import { getLead } from "../../db/leads.js";
import type { Lead } from "../../db/schema.js";
import { defaultSegmentOf, type SegmentRule } from "../../memory/learning/segment.js";
import type { CampaignMetrics, CampaignSummary, CrmConnector, CrmLead, SegmentSummary } from "./connector.js";
import { leadCountsBySegment, searchLeadRows, updateLeadStage } from "./sql.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** The default connector: the project's own `leads`, `campaigns` and `campaign_*` tables. */
export function ownTablesConnector(db: Db, options: { segmentOf?: SegmentRule } = {}): CrmConnector {
  const segmentOf = options.segmentOf ?? defaultSegmentOf;
  return {
    name: "own-tables",
    async searchLeads(tenantId, search) {
      return (await searchLeadRows(db, tenantId, search)).map(toCrmLead);
    },
    async getLead(tenantId, id) {
      const row = await getLead(db, tenantId, id);
      return row ? toCrmLead(row) : null;
    },
    async updateStage(tenantId, id, stage) {
      const row = await updateLeadStage(db, tenantId, id, stage);
      return row ? toCrmLead(row) : null;
    },
    async listCampaigns(tenantId, listing) {
      const rows = await listCampaigns(db, tenantId, {
        limit: listing.limit,
        ...(listing.status ? { status: listing.status } : {}),
      });
      return rows.map(campaignSummaryOf);
    },
    async campaignMetrics(tenantId, campaignId, segment) {
      // getCampaign compares the id to a uuid column: a malformed id would be a query error, not "none".
      if (!UUID.test(campaignId)) return null;
      const found = await getCampaign(db, tenantId, campaignId);
      if (!found) return null;
      const [totals, segments] = await Promise.all([
        resultTotals(db, tenantId, campaignId, segment),
        segmentsOf(db, tenantId, campaignId),
      ]);
      return campaignMetricsOf(found.campaign, found.variants, totals, segments, segment !== undefined);
    },
    async segmentSummary(tenantId) {
      const rows = await leadCountsBySegment(db, tenantId);
      const bySegment = new Map<string, SegmentSummary & { scored: number; scoreSum: number }>();
      for (const row of rows) {
        const segment = segmentOf(row);
        const entry = bySegment.get(segment) ?? {
          segment,
          leads: 0,
          meanScore: null,
          byStage: {},
          scored: 0,
          scoreSum: 0,
        };
        entry.leads += row.leads;
        entry.scored += row.scored;
        entry.scoreSum += row.scoreSum ?? 0;
        entry.byStage[row.stage] = (entry.byStage[row.stage] ?? 0) + row.leads;
        bySegment.set(segment, entry);
      }
      return [...bySegment.values()]
        .map(({ scored, scoreSum, ...summary }) => ({
          ...summary,
          meanScore: scored > 0 ? scoreSum / scored : null,
        }))
        .sort((a, b) => b.leads - a.leads || a.segment.localeCompare(b.segment));
    },
  };
}

type Found = NonNullable<Awaited<ReturnType<typeof getCampaign>>>;

function campaignMetricsOf(
  campaign: Found["campaign"],
  variants: Found["variants"],
  totals: Awaited<ReturnType<typeof resultTotals>>,
  segments: string[],
  bySegment: boolean,
): CampaignMetrics {
  const reported = new Map(totals.map((t) => [t.variantId, t]));
  const rows = variants.map((v) => {
    // With a segment, the variant's counters (all segments together) are not the answer: use its reports.
    const t = reported.get(v.id);
    const impressions = bySegment ? (t?.impressions ?? 0) : v.impressions;
    const conversions = bySegment ? (t?.conversions ?? 0) : v.conversions;
    return {
      variantId: v.id,
      name: v.name,
      channel: v.channel,
      impressions,
      conversions,
      conversionRate: impressions > 0 ? conversions / impressions : null,
      posteriorMean: (1 + conversions) / (2 + impressions),
      cost: t?.cost ?? null,
    };
  });
  const costs = rows.map((r) => r.cost).filter((c): c is number => c !== null);
  return {
    campaign: campaignSummaryOf(campaign),
    variants: rows,
    totals: {
      impressions: rows.reduce((n, r) => n + r.impressions, 0),
      conversions: rows.reduce((n, r) => n + r.conversions, 0),
      cost: costs.length > 0 ? costs.reduce((a, b) => a + b, 0) : null,
    },
    segments,
  };
}

function campaignSummaryOf(campaign: Found["campaign"]): CampaignSummary {
  return {
    id: campaign.id,
    name: campaign.name,
    channel: campaign.channel,
    status: campaign.status,
    budget: campaign.budget,
    createdAt: new Date(campaign.createdAt).toISOString(),
  };
}

export function toCrmLead(lead: Lead): CrmLead {
  return leadRecordOf(lead);
}
