/** Campaigns as the API takes and returns them, and the statistics' results in wire form (JSON-safe numbers). */
import { z } from "zod";
import type { AbTestReadout } from "../../agents/optimization/ab-test.js";
import type { CampaignSnapshot } from "../../agents/optimization/campaign.js";
import { OptimizationError } from "../../agents/optimization/errors.js";
import { CampaignError } from "../../db/campaigns.js";
import type { Campaign, CampaignVariant } from "../../db/schema.js";
import { RpcCode, RpcError } from "../rpc/errors.js";

export const CampaignStatus = z.enum(["draft", "running", "paused", "completed"]);
export const ChannelName = z.string().trim().min(1).max(50);
const Name = z.string().trim().min(1).max(200);

export const NewVariantParams = z
  .object({ name: Name, content: z.string().max(10_000).optional(), channel: ChannelName.optional() })
  .strict();

export const VariantOutput = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string().nullable(),
  content: z.string().nullable(),
  impressions: z.number(),
  conversions: z.number(),
  /** Beta posterior of the conversion rate (uniform prior plus the recorded results). */
  alpha: z.number(),
  beta: z.number(),
  posteriorMean: z.number(),
});

export const CampaignOutput = z.object({
  id: z.string(),
  name: z.string(),
  channel: z.string().nullable(),
  status: z.string(),
  budget: z.number().nullable(),
  createdAt: z.string(),
  variants: z.array(VariantOutput).optional(),
});

export function variantToWire(v: CampaignVariant): z.infer<typeof VariantOutput> {
  return {
    id: v.id,
    name: v.name,
    channel: v.channel,
    content: v.content,
    impressions: v.impressions,
    conversions: v.conversions,
    alpha: v.alpha,
    beta: v.beta,
    posteriorMean: v.alpha / (v.alpha + v.beta),
  };
}

export function campaignToWire(c: Campaign, variants?: CampaignVariant[]): z.infer<typeof CampaignOutput> {
  return {
    id: c.id,
    name: c.name,
    channel: c.channel,
    status: c.status,
    budget: c.budget,
    createdAt: c.createdAt.toISOString(),
    ...(variants ? { variants: variants.map(variantToWire) } : {}),
  };
}

export function snapshotOf(
  c: Campaign,
  variants: CampaignVariant[],
  costs: Map<string, number | null> = new Map(),
): CampaignSnapshot {
  return {
    id: c.id,
    name: c.name,
    status: c.status,
    budget: c.budget,
    variants: variants.map((v) => ({
      name: v.name,
      channel: v.channel,
      impressions: v.impressions,
      conversions: v.conversions,
      cost: costs.get(v.id) ?? null,
    })),
  };
}

const Interval = z.object({ lower: z.number(), upper: z.number(), mass: z.number() });

export const ReadoutOutput = z.object({
  campaignId: z.string(),
  segment: z.string().nullable(),
  leader: z.string(),
  method: z.enum(["exact", "monte-carlo"]),
  decision: z.object({
    stop: z.boolean(),
    reason: z.string(),
    leaderExpectedLoss: z.number(),
    lossThreshold: z.number(),
    minTrialsPerArm: z.number(),
    /** null when the rule cannot fire at the observed rates (identical arms need unbounded samples). */
    additionalTrialsPerArm: z.number().nullable(),
  }),
  variants: z.array(
    z.object({
      name: z.string(),
      trials: z.number(),
      conversions: z.number(),
      posteriorMean: z.number(),
      credibleInterval: Interval,
      probabilityBest: z.number(),
      expectedLoss: z.number(),
    }),
  ),
  zTests: z.array(z.object({ name: z.string(), z: z.number(), pValue: z.number() })),
});

const finiteOrNull = (x: number) => (Number.isFinite(x) ? x : null);

export function readoutToWire(
  campaignId: string,
  segment: string | null,
  r: AbTestReadout,
): z.infer<typeof ReadoutOutput> {
  return {
    campaignId,
    segment,
    leader: r.leader,
    method: r.method,
    decision: { ...r.decision, additionalTrialsPerArm: finiteOrNull(r.decision.additionalTrialsPerArm) },
    variants: r.variants.map((v) => ({
      name: v.id,
      trials: v.trials,
      conversions: v.conversions,
      posteriorMean: v.posteriorMean,
      credibleInterval: v.credibleInterval,
      probabilityBest: v.probabilityBest,
      expectedLoss: v.expectedLoss,
    })),
    zTests: r.zTests.map((t) => ({ name: t.id, z: t.z, pValue: t.pValue })),
  };
}

/** Domain and statistics errors as JSON-RPC errors; anything else propagates (and becomes Internal). */
export async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CampaignError) {
      if (error.code === "not_found") throw new RpcError(RpcCode.NotFound, error.message);
      throw new RpcError(RpcCode.Conflict, error.message);
    }
    if (error instanceof OptimizationError) {
      throw new RpcError(RpcCode.InvalidParams, error.message, { reason: error.code });
    }
    throw error;
  }
}
