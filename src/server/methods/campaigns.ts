/**
 * Campaign methods: arms and their results stored, and the optimization agent's statistics over them
 * (Bayesian A/B readout, budget allocation across channels, conversion forecast, strategy). Reading the
 * statistics needs campaigns:read; changing a campaign needs campaigns:write.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { allocateBudget } from "../../agents/optimization/budget.js";
import { campaignReadout, channelPosteriors } from "../../agents/optimization/campaign.js";
import { forecastConversions } from "../../agents/optimization/forecast.js";
import { writeNarrative } from "../../agents/optimization/narrative.js";
import type { StrategyInput } from "../../agents/optimization/schema.js";
import { recommendStrategy } from "../../agents/optimization/strategy.js";
import {
  addVariant,
  CampaignError,
  createCampaign,
  getCampaign,
  listCampaigns,
  recordResult,
  resultTotals,
} from "../../db/campaigns.js";
import type { Db } from "../../db/client.js";
import { RpcCode, RpcError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import {
  CampaignOutput,
  CampaignStatus,
  ChannelName,
  campaignToWire,
  mapped,
  NewVariantParams,
  ReadoutOutput,
  readoutToWire,
  snapshotOf,
  VariantOutput,
  variantToWire,
} from "./campaign-wire.js";
import type { Services } from "./services.js";

const Id = z.uuid();
const Seed = z.number().int().default(1);
/** Cost per impression by channel, for channels whose results carry no cost. */
const Costs = z.record(ChannelName, z.number().positive().finite());

/** A campaign with its variants and the reported spend per variant, or a not-found error. */
async function loadCampaign(db: Db, tenantId: string, id: string, segment?: string) {
  const found = await getCampaign(db, tenantId, id);
  if (!found) throw new CampaignError("not_found", "campaign not found");
  const totals = await resultTotals(db, tenantId, id, segment);
  const byVariant = new Map(totals.map((t) => [t.variantId, t]));
  // A segment's readout counts only that segment's results; the whole campaign uses the running totals.
  const variants = segment
    ? found.variants.map((v) => ({
        ...v,
        impressions: byVariant.get(v.id)?.impressions ?? 0,
        conversions: byVariant.get(v.id)?.conversions ?? 0,
      }))
    : found.variants;
  const costs = new Map(totals.map((t) => [t.variantId, t.cost]));
  return { ...found, variants, snapshot: snapshotOf(found.campaign, variants, costs) };
}

export function campaignMethods({ database, llm }: Services & { llm?: ChatOpenAI | null }) {
  const db = database.db;
  return [
    defineMethod({
      name: "campaigns.create",
      description:
        "Creates a campaign, optionally with its first variants (arms); the first variant is the control.",
      permission: "campaigns:write",
      params: z
        .object({
          name: z.string().trim().min(1).max(200),
          channel: ChannelName.optional(),
          status: CampaignStatus.optional(),
          budget: z.number().min(0).finite().optional(),
          variants: z.array(NewVariantParams).max(50).optional(),
        })
        .strict(),
      result: z.object({ campaign: CampaignOutput }),
      handler: (params, ctx) =>
        mapped(async () => {
          const { campaign, variants } = await createCampaign(db, ctx.principal.tenantId, params);
          return { campaign: campaignToWire(campaign, variants) };
        }),
    }),
    defineMethod({
      name: "campaigns.get",
      description: "Reads a campaign with its variants, their counts and Beta posteriors.",
      permission: "campaigns:read",
      positional: ["id"],
      params: z.object({ id: Id }).strict(),
      result: z.object({ campaign: CampaignOutput }),
      handler: ({ id }, ctx) =>
        mapped(async () => {
          const { campaign, variants } = await loadCampaign(db, ctx.principal.tenantId, id);
          return { campaign: campaignToWire(campaign, variants) };
        }),
    }),
    defineMethod({
      name: "campaigns.list",
      description: "Lists the caller's campaigns, newest first, without variants.",
      permission: "campaigns:read",
      params: z
        .object({ status: CampaignStatus.optional(), limit: z.number().int().min(1).max(500).default(100) })
        .strict()
        .default({ limit: 100 }),
      result: z.object({ campaigns: z.array(CampaignOutput) }),
      handler: async ({ status, limit }, ctx) => ({
        campaigns: (
          await listCampaigns(db, ctx.principal.tenantId, { limit, ...(status ? { status } : {}) })
        ).map((c) => campaignToWire(c)),
      }),
    }),
    defineMethod({
      name: "campaigns.addVariant",
      description: "Adds a variant (arm) to a campaign; names are unique within a campaign.",
      permission: "campaigns:write",
      params: NewVariantParams.extend({ campaignId: Id }).strict(),
      result: z.object({ variant: VariantOutput }),
      handler: ({ campaignId, ...variant }, ctx) =>
        mapped(async () => ({
          variant: variantToWire(await addVariant(db, ctx.principal.tenantId, campaignId, variant)),
        })),
    }),
    defineMethod({
      name: "campaigns.recordResult",
      description:
        "Records impressions and conversions (and optionally cost and segment) for a variant, updating its Beta posterior. A retried call with the same idempotencyKey counts once.",
      permission: "campaigns:write",
      params: z
        .object({
          campaignId: Id,
          variantId: Id,
          impressions: z.number().int().min(0).max(1_000_000_000),
          conversions: z.number().int().min(0),
          segment: z.string().trim().min(1).max(100).optional(),
          cost: z.number().min(0).finite().optional(),
          idempotencyKey: z.string().min(1).max(200).optional(),
        })
        .strict()
        .refine((p) => p.conversions <= p.impressions, {
          message: "conversions cannot exceed impressions",
          path: ["conversions"],
        }),
      result: z.object({ variant: VariantOutput, recorded: z.boolean() }),
      handler: (params, ctx) =>
        mapped(async () => {
          const { variant, recorded } = await recordResult(db, ctx.principal.tenantId, params);
          return { variant: variantToWire(variant), recorded };
        }),
    }),
    defineMethod({
      name: "campaigns.readout",
      description:
        "Bayesian A/B readout of a campaign's variants: posterior means, 95% credible intervals, probability to be best, expected loss, and the stopping decision (expected loss below the threshold with a minimum sample per arm).",
      permission: "campaigns:read",
      params: z
        .object({
          id: Id,
          segment: z.string().trim().min(1).max(100).optional(),
          lossThreshold: z.number().positive().max(1).optional(),
          minTrialsPerArm: z.number().int().min(0).optional(),
          seed: Seed,
        })
        .strict(),
      result: ReadoutOutput,
      handler: ({ id, segment, ...options }, ctx) =>
        mapped(async () => {
          const { snapshot } = await loadCampaign(db, ctx.principal.tenantId, id, segment);
          return readoutToWire(id, segment ?? null, campaignReadout(snapshot, options));
        }),
    }),
    defineMethod({
      name: "campaigns.allocate",
      description:
        "Splits a budget across the campaign's channels by the posterior probability that each gives the most conversions per unit of money, with a floor per channel; amounts in whole cents summing to the total.",
      permission: "campaigns:read",
      params: z
        .object({
          id: Id,
          /** Defaults to the campaign's budget. */
          total: z.number().min(0).finite().optional(),
          costs: Costs.optional(),
          minShare: z.number().min(0).max(1).optional(),
          seed: Seed,
        })
        .strict(),
      result: z.object({
        total: z.number(),
        allocations: z.array(
          z.object({
            id: z.string(),
            amount: z.number(),
            share: z.number(),
            probabilityBest: z.number(),
            expectedConversions: z.number(),
            expectedCostPerConversion: z.number(),
          }),
        ),
      }),
      handler: ({ id, total, costs, minShare, seed }, ctx) =>
        mapped(async () => {
          const { snapshot } = await loadCampaign(db, ctx.principal.tenantId, id);
          const budget = total ?? snapshot.budget;
          if (budget === null || budget === undefined) {
            throw new RpcError(RpcCode.InvalidParams, "the campaign has no budget: give total");
          }
          return allocateBudget(channelPosteriors(snapshot.variants, costs), {
            total: budget,
            seed,
            ...(minShare === undefined ? {} : { minShare }),
          });
        }),
    }),
    defineMethod({
      name: "campaigns.forecast",
      description:
        "Conversions to expect from a number of sends with a variant (default: the leader), from its Beta posterior: the beta-binomial mean and an equal-tailed prediction interval.",
      permission: "campaigns:read",
      params: z
        .object({
          id: Id,
          sends: z.number().int().min(0).max(100_000_000),
          variant: z.string().min(1).max(200).optional(),
          mass: z.number().gt(0).lt(1).optional(),
        })
        .strict(),
      result: z.object({
        variant: z.string(),
        sends: z.number(),
        expected: z.number(),
        standardDeviation: z.number(),
        interval: z.object({ lower: z.number(), upper: z.number(), mass: z.number() }),
      }),
      handler: ({ id, sends, variant, mass }, ctx) =>
        mapped(async () => {
          const { variants } = await loadCampaign(db, ctx.principal.tenantId, id);
          const chosen = variant
            ? variants.find((v) => v.name === variant)
            : variants.reduce<(typeof variants)[number] | undefined>(
                (best, v) =>
                  !best || v.alpha / (v.alpha + v.beta) > best.alpha / (best.alpha + best.beta) ? v : best,
                undefined,
              );
          if (!chosen)
            throw new CampaignError(
              "not_found",
              variant ? `variant "${variant}" not found` : "the campaign has no variants",
            );
          const forecast = forecastConversions(
            { alpha: chosen.alpha, beta: chosen.beta },
            sends,
            mass === undefined ? {} : { mass },
          );
          return { variant: chosen.name, ...forecast };
        }),
    }),
    defineMethod({
      name: "campaigns.strategy",
      description:
        "Recommendations from the campaign's statistics (declare a winner or keep testing, pause hopeless variants, shift budget, forecast), by rule, with a narrative: the configured model's when every number it cites is one it was given, else the rules' own text.",
      permission: "campaigns:read",
      params: z
        .object({
          id: Id,
          budget: z.number().min(0).finite().optional(),
          plannedSends: z.number().int().min(0).max(100_000_000).optional(),
          costs: Costs.optional(),
          seed: Seed,
        })
        .strict(),
      result: z.object({
        recommendations: z.array(
          z.object({
            kind: z.string(),
            action: z.string(),
            reason: z.string(),
            evidence: z.record(z.string(), z.number()),
          }),
        ),
        narrative: z.object({ text: z.string(), model: z.string(), fallback: z.string().optional() }),
        notes: z.array(z.string()),
      }),
      handler: ({ id, budget, plannedSends, costs, seed }, ctx) =>
        mapped(async () => {
          const { snapshot } = await loadCampaign(db, ctx.principal.tenantId, id);
          const notes: string[] = [];
          const input: StrategyInput = { seed };
          if (snapshot.variants.length >= 2) {
            input.variants = snapshot.variants.map((v) => ({
              id: v.name,
              conversions: v.conversions,
              trials: v.impressions,
            }));
            if (plannedSends !== undefined) input.plannedSends = plannedSends;
          } else notes.push("fewer than two variants: no experiment to read");
          const total = budget ?? snapshot.budget ?? undefined;
          if (total !== undefined && total > 0) {
            try {
              input.channels = channelPosteriors(snapshot.variants, costs);
              input.budget = total;
            } catch (error) {
              notes.push(`budget not planned: ${(error as Error).message}`);
            }
          }
          const { recommendations } = recommendStrategy(input);
          const narrative = await writeNarrative(
            llm ?? null,
            recommendations,
            { campaign: snapshot.name },
            { signal: ctx.signal },
          );
          return { recommendations, narrative, notes };
        }),
    }),
  ];
}
