import { sql } from "drizzle-orm";
import { bigint, boolean, integer, jsonb, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Trained triage scoring models, versioned. The model itself is opaque JSON here (the agents layer parses
 * and validates it: the db layer must not import upwards); `kind`, `setting` and `metrics` are copied out
 * of it so a listing needs no 200 KB model column.
 */
export const triageModels = pgTable(
  "triage_models",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    /** 1, 2, 3, … in the order models were stored; what people and `db:<version>` refer to. */
    version: integer("version").notNull(),
    /** `blend`, `gbt` or `logistic`. */
    kind: text("kind").notNull(),
    /** Which columns the model uses: `pre-contact`, `all` or `lead-input`. */
    setting: text("setting").notNull(),
    /** Held-out and cross-validated metrics, as training reported them. */
    metrics: jsonb("metrics").$type<Record<string, unknown>>().notNull(),
    model: jsonb("model").$type<unknown>().notNull(),
    /** Where the training data came from (file name and sha256), for provenance. */
    source: text("source"),
    /** The model triage uses; at most one row is active (none: the model shipped with the package). */
    active: boolean("active").notNull().default(false),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex("triage_models_version_key").on(t.version),
    // The database, not the code, guarantees a single active model, across every process.
    uniqueIndex("triage_models_one_active").on(t.active).where(sql`active`),
  ],
);

export type TriageModelRow = typeof triageModels.$inferSelect;
