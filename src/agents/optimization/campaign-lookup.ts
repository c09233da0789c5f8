import { getCampaign, listCampaigns, resultTotals } from "../../db/campaigns.js";
import type { Db } from "../../db/client.js";
import { type CampaignSnapshot, matchCampaign } from "./campaign.js";

/**
 * The stored campaign a question names, with its variants' counts and reported spend, or null. Looks at
 * the tenant's 200 newest campaigns: a question names a recent one far more often than an old one.
 */
export async function campaignForQuestion(
  db: Db,
  tenantId: string,
  question: string,
): Promise<CampaignSnapshot | null> {
  const match = matchCampaign(question, await listCampaigns(db, tenantId, { limit: 200 }));
  if (!match) return null;
  const found = await getCampaign(db, tenantId, match.id);
  if (!found) return null;
  const costs = new Map((await resultTotals(db, tenantId, match.id)).map((t) => [t.variantId, t.cost]));
  return {
    id: found.campaign.id,
    name: found.campaign.name,
    status: found.campaign.status,
    budget: found.campaign.budget,
    variants: found.variants.map((v) => ({
      name: v.name,
      channel: v.channel,
      impressions: v.impressions,
      conversions: v.conversions,
      cost: costs.get(v.id) ?? null,
    })),
  };
}
