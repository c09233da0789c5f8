/**
 * A stored campaign seen through the statistics: its variants as an A/B(/n) experiment, its channels as
 * posteriors with a cost for budget allocation, and finding the campaign a question is about. Pure: the
 * RPC methods and the graph node load the counts and call these.
 */
import { type AbTestReadout, abTestReadout } from "./ab-test.js";
import { OptimizationError } from "./errors.js";
import type { AbTestOptions, ChannelPosterior } from "./schema.js";

/** What the statistics need of a stored campaign. */
export interface CampaignSnapshot {
  id: string;
  name: string;
  status: string;
  budget: number | null;
  variants: CampaignArm[];
}

export interface CampaignArm {
  name: string;
  channel: string | null;
  impressions: number;
  conversions: number;
  /** Money spent on those impressions, when reported. */
  cost?: number | null;
}

/** The campaign's variants as an experiment; arms are named by variant name, the first is the control. */
export function campaignReadout(
  campaign: Pick<CampaignSnapshot, "variants">,
  options: AbTestOptions = {},
): AbTestReadout {
  if (campaign.variants.length < 2) {
    throw new OptimizationError("invalid_input", "a readout needs at least two variants");
  }
  return abTestReadout(
    campaign.variants.map((v) => ({ id: v.name, conversions: v.conversions, trials: v.impressions })),
    options,
  );
}

/**
 * One posterior per channel, pooling its variants: Beta(1 + conversions, 1 + non-conversions), with the
 * cost per impression from reported spend unless `costs` gives it. A channel with neither is refused:
 * allocating money needs a price.
 */
export function channelPosteriors(
  arms: readonly CampaignArm[],
  costs: Readonly<Record<string, number>> = {},
): ChannelPosterior[] {
  const byChannel = new Map<
    string,
    { impressions: number; conversions: number; cost: number; costed: number }
  >();
  for (const arm of arms) {
    const channel = arm.channel ?? "unspecified";
    const c = byChannel.get(channel) ?? { impressions: 0, conversions: 0, cost: 0, costed: 0 };
    c.impressions += arm.impressions;
    c.conversions += arm.conversions;
    if (arm.cost !== null && arm.cost !== undefined) {
      c.cost += arm.cost;
      c.costed += arm.impressions;
    }
    byChannel.set(channel, c);
  }
  return [...byChannel].map(([id, c]) => {
    const costPerImpression = costs[id] ?? (c.costed > 0 && c.cost > 0 ? c.cost / c.costed : undefined);
    if (costPerImpression === undefined || !(costPerImpression > 0)) {
      throw new OptimizationError(
        "invalid_input",
        `channel ${id} has no reported cost: give its costPerImpression to allocate a budget`,
      );
    }
    return { id, alpha: 1 + c.conversions, beta: 1 + c.impressions - c.conversions, costPerImpression };
  });
}

const nameWords = (text: string) =>
  (text.toLowerCase().match(/[a-z0-9]+/g) ?? []).filter(
    (w) => !["campaign", "the", "a", "test", "ab"].includes(w),
  );

/**
 * The campaign a free-text question names, if any: the one whose name words appear in the question most
 * completely (all of a one-word name, at least half of a longer one). Ties go to the first listed, which
 * callers pass newest first.
 */
export function matchCampaign<C extends Pick<CampaignSnapshot, "id" | "name">>(
  question: string,
  campaigns: readonly C[],
): C | null {
  const asked = new Set(nameWords(question));
  let best: { campaign: C; score: number } | null = null;
  for (const campaign of campaigns) {
    const words = nameWords(campaign.name);
    if (words.length === 0) continue;
    const score = words.filter((w) => asked.has(w)).length / words.length;
    const enough = words.length === 1 ? score === 1 : score >= 0.5;
    if (enough && (!best || score > best.score)) best = { campaign, score };
  }
  return best?.campaign ?? null;
}
