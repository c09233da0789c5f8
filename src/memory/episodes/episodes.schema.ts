import { sql } from "drizzle-orm";
import { bigint, bigserial, index, jsonb, pgTable, real, text, uuid } from "drizzle-orm/pg-core";
import { leads, outcomeEvents } from "../../db/schema.js";
import { embedderColumn, embeddingColumn, tenantColumn, timestampColumn } from "../columns.js";

/**
 * Episodic memory: one row per interaction (who acted, what they did, with which variant, what came of
 * it, the reward), embedded by the lead's context so that "what worked for leads like this one" is a
 * nearest-neighbour query. Deleting the lead (erasure) deletes its episodes.
 */
export const memoryEpisodes = pgTable(
  "memory_episodes",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantColumn(),
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "cascade" }),
    /** The outcome this episode records, when it came from `outcomes.record`. */
    outcomeEventId: bigint("outcome_event_id", { mode: "number" }).references(() => outcomeEvents.id, {
      onDelete: "cascade",
    }),
    segment: text("segment").notNull(),
    agent: text("agent").notNull(),
    action: text("action").notNull(),
    variantId: text("variant_id"),
    campaignId: text("campaign_id"),
    outcome: text("outcome"),
    reward: real("reward").notNull().default(0),
    /** The lead context the episode was embedded from (no name or email: see episodes.ts). */
    context: jsonb("context").$type<Record<string, unknown>>().notNull(),
    /** The embedded text: kept so `migrate --reembed` can re-embed without the lead. */
    summary: text("summary").notNull(),
    embedding: embeddingColumn(),
    embedder: embedderColumn(),
    occurredAt: timestampColumn("occurred_at").notNull().defaultNow(),
    recordedAt: timestampColumn("recorded_at").notNull().defaultNow(),
  },
  (t) => [
    index("memory_episodes_lead_idx").on(t.tenantId, t.leadId),
    index("memory_episodes_outcome_idx").on(t.outcomeEventId).where(sql`${t.outcomeEventId} is not null`),
    index("memory_episodes_embedding_hnsw").using("hnsw", t.embedding.op("vector_cosine_ops")),
  ],
);

export type EpisodeRow = typeof memoryEpisodes.$inferSelect;
