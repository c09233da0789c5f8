import { pgTable, text } from "drizzle-orm/pg-core";
import { timestampColumn } from "./columns.js";

/**
 * When scheduled maintenance last ran, cluster-wide: every replica schedules it, and a replica whose turn
 * comes less than an interval after another's run skips it instead of repeating the work.
 */
export const maintenanceRuns = pgTable("maintenance_runs", {
  /** The schedule's name; one row per schedule. */
  schedule: text("schedule").primaryKey(),
  lastRunAt: timestampColumn("last_run_at").notNull(),
  /** Which process ran it (host and pid), for the operator reading the table. */
  ranBy: text("ran_by").notNull(),
});
