import { index, integer, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { leads } from "../../db/schema.js";
import { tenantColumn, timestampColumn } from "../columns.js";

/**
 * What the optimization agent's bandit learns from. A lead shown a variant is one Bernoulli trial, however
 * many events it produces; it succeeds once, at its first goal event. `memory_exposures` makes that exact
 * (one row per lead and variant) and `memory_variant_stats` keeps the per-segment totals the agent reads,
 * both updated in the transaction that records the outcome.
 */
export const memoryExposures = pgTable(
  "memory_exposures",
  {
    tenantId: tenantColumn(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    variantId: text("variant_id").notNull(),
    /** The lead's segment when it was first exposed: the trial counts there even if the lead moves on. */
    segment: text("segment").notNull(),
    firstAt: timestampColumn("first_at").notNull(),
    succeededAt: timestampColumn("succeeded_at"),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.leadId, t.variantId] })],
);

/**
 * Anonymous aggregates: erasing a lead leaves its trial in these counts (they say nothing about a person),
 * which keeps the bandit's evidence stable.
 */
export const memoryVariantStats = pgTable(
  "memory_variant_stats",
  {
    tenantId: tenantColumn(),
    segment: text("segment").notNull(),
    variantId: text("variant_id").notNull(),
    trials: integer("trials").notNull().default(0),
    successes: integer("successes").notNull().default(0),
    updatedAt: timestampColumn("updated_at").notNull().defaultNow(),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.segment, t.variantId] }),
    index("memory_variant_stats_variant_idx").on(t.tenantId, t.variantId),
  ],
);
