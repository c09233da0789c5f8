/**
 * Campaigns and their arms (variants, each on a channel), and the results reported for them. Every query is
 * scoped by tenant: another tenant's campaign is indistinguishable from none. Statistics are computed
 * above this layer; here are only the counts.
 */
import { and, asc, desc, eq, sql } from "drizzle-orm";
import { campaignResults } from "./campaign-results.schema.js";
import type { Db } from "./client.js";
import { type Campaign, type CampaignVariant, campaigns, campaignVariants } from "./schema.js";

export const CampaignErrorCode = {
  /** The campaign (or variant) does not exist for this tenant. */
  NotFound: "not_found",
  /** A variant of that name already exists in the campaign: names identify arms in readouts. */
  DuplicateVariant: "duplicate_variant",
} as const;
export type CampaignErrorCode = (typeof CampaignErrorCode)[keyof typeof CampaignErrorCode];

export class CampaignError extends Error {
  constructor(
    readonly code: CampaignErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "CampaignError";
  }
}

export interface NewVariant {
  name: string;
  content?: string | undefined;
  channel?: string | undefined;
}

export interface CampaignWithVariants {
  campaign: Campaign;
  variants: CampaignVariant[];
}

export async function createCampaign(
  db: Db,
  tenantId: string,
  input: { name: string; channel?: string; status?: string; budget?: number; variants?: NewVariant[] },
): Promise<CampaignWithVariants> {
  const names = (input.variants ?? []).map((v) => v.name);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) throw new CampaignError("duplicate_variant", `variant "${duplicate}" is listed twice`);
  return db.transaction(async (tx) => {
    const [campaign] = await tx
      .insert(campaigns)
      .values({
        tenantId,
        name: input.name,
        channel: input.channel ?? null,
        status: input.status ?? "draft",
        budget: input.budget ?? null,
      })
      .returning();
    const variants =
      input.variants && input.variants.length > 0
        ? await tx
            .insert(campaignVariants)
            .values(
              input.variants.map((v) => ({
                campaignId: campaign!.id,
                name: v.name,
                content: v.content ?? null,
                channel: v.channel ?? input.channel ?? null,
              })),
            )
            .returning()
        : [];
    return { campaign: campaign!, variants };
  });
}

export async function getCampaign(
  db: Db,
  tenantId: string,
  id: string,
): Promise<CampaignWithVariants | undefined> {
  const [campaign] = await db
    .select()
    .from(campaigns)
    .where(and(eq(campaigns.tenantId, tenantId), eq(campaigns.id, id)));
  if (!campaign) return undefined;
  // By name: variant rows have no creation time, and a stable order keeps readouts reproducible.
  const variants = await db
    .select()
    .from(campaignVariants)
    .where(eq(campaignVariants.campaignId, id))
    .orderBy(asc(campaignVariants.name));
  return { campaign, variants };
}

/** The tenant's campaigns, newest first (no variants). */
export async function listCampaigns(
  db: Db,
  tenantId: string,
  options: { status?: string; limit?: number } = {},
): Promise<Campaign[]> {
  return db
    .select()
    .from(campaigns)
    .where(
      and(
        eq(campaigns.tenantId, tenantId),
        ...(options.status ? [eq(campaigns.status, options.status)] : []),
      ),
    )
    .orderBy(desc(campaigns.createdAt))
    .limit(options.limit ?? 100);
}

export async function addVariant(
  db: Db,
  tenantId: string,
  campaignId: string,
  variant: NewVariant,
): Promise<CampaignVariant> {
  return db.transaction(async (tx) => {
    const [campaign] = await tx
      .select({ id: campaigns.id, channel: campaigns.channel })
      .from(campaigns)
      .where(and(eq(campaigns.tenantId, tenantId), eq(campaigns.id, campaignId)))
      .for("update");
    if (!campaign) throw new CampaignError("not_found", "campaign not found");
    const [existing] = await tx
      .select({ id: campaignVariants.id })
      .from(campaignVariants)
      .where(and(eq(campaignVariants.campaignId, campaignId), eq(campaignVariants.name, variant.name)));
    if (existing) throw new CampaignError("duplicate_variant", `variant "${variant.name}" already exists`);
    const [row] = await tx
      .insert(campaignVariants)
      .values({
        campaignId,
        name: variant.name,
        content: variant.content ?? null,
        channel: variant.channel ?? campaign.channel ?? null,
      })
      .returning();
    return row!;
  });
}

export interface ResultReport {
  campaignId: string;
  variantId: string;
  impressions: number;
  conversions: number;
  segment?: string | undefined;
  cost?: number | undefined;
  /** A retried report with the same key is recorded once. */
  idempotencyKey?: string | undefined;
}

/**
 * Records results for a variant and adds them to its totals and Beta posterior (alpha += conversions,
 * beta += impressions − conversions), in one transaction. Returns the variant's totals after.
 */
export async function recordResult(
  db: Db,
  tenantId: string,
  report: ResultReport,
): Promise<{ variant: CampaignVariant; recorded: boolean }> {
  return db.transaction(async (tx) => {
    const [variant] = await tx
      .select({ id: campaignVariants.id })
      .from(campaignVariants)
      .innerJoin(campaigns, eq(campaigns.id, campaignVariants.campaignId))
      .where(
        and(
          eq(campaigns.tenantId, tenantId),
          eq(campaigns.id, report.campaignId),
          eq(campaignVariants.id, report.variantId),
        ),
      );
    if (!variant) throw new CampaignError("not_found", "variant not found in this campaign");
    const inserted = await tx
      .insert(campaignResults)
      .values({
        tenantId,
        campaignId: report.campaignId,
        variantId: report.variantId,
        segment: report.segment ?? "all",
        impressions: report.impressions,
        conversions: report.conversions,
        cost: report.cost ?? null,
        idempotencyKey: report.idempotencyKey ?? null,
      })
      .onConflictDoNothing()
      .returning({ id: campaignResults.id });
    const recorded = inserted.length === 1;
    const [updated] = recorded
      ? await tx
          .update(campaignVariants)
          .set({
            impressions: sql`${campaignVariants.impressions} + ${report.impressions}`,
            conversions: sql`${campaignVariants.conversions} + ${report.conversions}`,
            alpha: sql`${campaignVariants.alpha} + ${report.conversions}`,
            beta: sql`${campaignVariants.beta} + ${report.impressions - report.conversions}`,
          })
          .where(eq(campaignVariants.id, report.variantId))
          .returning()
      : await tx.select().from(campaignVariants).where(eq(campaignVariants.id, report.variantId));
    return { variant: updated!, recorded };
  });
}

export interface VariantTotals {
  variantId: string;
  impressions: number;
  conversions: number;
  cost: number | null;
}

/** Totals per variant from the recorded results, optionally for one segment. */
export async function resultTotals(
  db: Db,
  tenantId: string,
  campaignId: string,
  segment?: string,
): Promise<VariantTotals[]> {
  const rows = await db
    .select({
      variantId: campaignResults.variantId,
      impressions: sql<number>`coalesce(sum(${campaignResults.impressions}), 0)::int`,
      conversions: sql<number>`coalesce(sum(${campaignResults.conversions}), 0)::int`,
      cost: sql<string | null>`sum(${campaignResults.cost})`,
    })
    .from(campaignResults)
    .where(
      and(
        eq(campaignResults.tenantId, tenantId),
        eq(campaignResults.campaignId, campaignId),
        ...(segment ? [eq(campaignResults.segment, segment)] : []),
      ),
    )
    .groupBy(campaignResults.variantId);
  return rows.map((r) => ({ ...r, cost: r.cost === null ? null : Number(r.cost) }));
}

/** The segments results were reported for. */
export async function segmentsOf(db: Db, tenantId: string, campaignId: string): Promise<string[]> {
  const rows = await db
    .selectDistinct({ segment: campaignResults.segment })
    .from(campaignResults)
    .where(and(eq(campaignResults.tenantId, tenantId), eq(campaignResults.campaignId, campaignId)))
    .orderBy(asc(campaignResults.segment));
  return rows.map((r) => r.segment);
}
