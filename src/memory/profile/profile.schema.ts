import { bigserial, index, integer, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { leads } from "../../db/schema.js";
import { tenantColumn, timestampColumn } from "../columns.js";
import type { ProfileBlock } from "./profile.js";

/**
 * The lead profile block (one row per lead) and its change log (one row per changed field). Both go with the
 * lead: deleting it (GDPR erasure) cascades here.
 */
export const leadProfiles = pgTable(
  "lead_profiles",
  {
    tenantId: tenantColumn(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    block: jsonb("block").$type<ProfileBlock>().notNull(),
    /** Incremented by every change: lets a reader tell whether the block moved since it last looked. */
    version: integer("version").notNull().default(0),
    updatedAt: timestampColumn("updated_at").notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.leadId] })],
);

export const leadProfileChanges = pgTable(
  "lead_profile_changes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantColumn(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    /** The agent (or "outcomes", "operator") that made the change. */
    actor: text("actor").notNull(),
    /** `stage`, `lastTouch`, `facts.<name>` or `preferences.<name>`. */
    path: text("path").notNull(),
    before: jsonb("before"),
    after: jsonb("after"),
    version: integer("version").notNull(),
    at: timestampColumn("at").notNull().defaultNow(),
  },
  (t) => [index("lead_profile_changes_lead_idx").on(t.tenantId, t.leadId, t.id)],
);
