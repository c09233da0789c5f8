import { bigint, integer, jsonb, pgTable, primaryKey, text } from "drizzle-orm/pg-core";
import { tenantColumn, timestampColumn } from "../../memory/columns.js";

/**
 * Each tenant's outcome recalibration of a scoring model (`recalibration.ts`): kernel sums over the
 * tenant's recorded outcomes on a fixed grid, refitted in the background after new ones. Anonymous aggregates: they say
 * nothing about any one lead, so erasure leaves them (the next refit no longer sees the erased lead).
 */
export const triageRecalibrations = pgTable(
  "triage_recalibrations",
  {
    tenantId: tenantColumn(),
    /** `kind@version` of the scoring model whose numbers this maps. */
    scoringModel: text("scoring_model").notNull(),
    /** `RecalibrationFit`: method, bandwidth, prior weight and the grid sums; validated when read. */
    fit: jsonb("fit").$type<unknown>().notNull(),
    labelled: integer("labelled").notNull(),
    converted: integer("converted").notNull(),
    /** The newest outcome event id the fit saw: a refit with nothing newer is skipped. */
    throughOutcomeId: bigint("through_outcome_id", { mode: "number" }).notNull(),
    fittedAt: timestampColumn("fitted_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.scoringModel] })],
);
