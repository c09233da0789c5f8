import { bigint, date, pgTable, primaryKey, text } from "drizzle-orm/pg-core";

/**
 * Model tokens each tenant's runs used, per UTC day: what the per-tenant budget (`TENANT_DAILY_LLM_TOKENS`)
 * is checked against, across every replica.
 */
export const tenantLlmUsage = pgTable(
  "tenant_llm_usage",
  {
    tenantId: text("tenant_id").notNull(),
    /** The UTC day, `YYYY-MM-DD`. */
    day: date("day", { mode: "string" }).notNull(),
    tokens: bigint("tokens", { mode: "number" }).notNull().default(0),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.day] })],
);
