import { sql } from "drizzle-orm";
import {
  bigserial,
  check,
  index,
  integer,
  numeric,
  pgTable,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";
import { campaigns, campaignVariants, DEFAULT_TENANT } from "./schema.js";

/**
 * Each reported batch of results for a campaign variant: impressions, conversions and cost, per segment.
 * `campaign_variants` keeps the running totals (and the Beta posterior) the bandit reads; these rows keep
 * the breakdown (segment readouts, cost per impression for budget allocation) and make a retried report
 * count once, by its idempotency key.
 */
export const campaignResults = pgTable(
  "campaign_results",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: text("tenant_id").notNull().default(DEFAULT_TENANT),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    variantId: uuid("variant_id")
      .notNull()
      .references(() => campaignVariants.id, { onDelete: "cascade" }),
    /** The audience slice the results are for; "all" when not segmented. */
    segment: text("segment").notNull().default("all"),
    impressions: integer("impressions").notNull(),
    conversions: integer("conversions").notNull(),
    /** Money spent on these impressions, in the campaign's currency. */
    cost: numeric("cost", { precision: 14, scale: 2, mode: "number" }),
    idempotencyKey: text("idempotency_key"),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("campaign_results_idempotency").on(t.tenantId, t.idempotencyKey),
    index("campaign_results_campaign_idx").on(t.campaignId, t.segment),
    check(
      "campaign_results_counts",
      sql`${t.impressions} >= 0 and ${t.conversions} between 0 and ${t.impressions}`,
    ),
  ],
);

export type CampaignResult = typeof campaignResults.$inferSelect;
