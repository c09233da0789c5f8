import { type SQL, sql } from "drizzle-orm";
import { bigint, bigserial, index, integer, jsonb, pgTable, text, uniqueIndex } from "drizzle-orm/pg-core";
import { embedderColumn, embeddingColumn, tenantColumn, timestampColumn, tsvector } from "../columns.js";

/**
 * The long-term store behind LangGraph's `BaseStore`: one row per (tenant, namespace, key), and one vector
 * row per indexed text of an item (an item may index several fields, or none).
 *
 * Namespaces are `text[]` compared with `=` and array slices, never `LIKE`: a label containing `%` or `_`
 * is just characters, so one namespace can never match another by pattern.
 */
export const memoryItems = pgTable(
  "memory_items",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantColumn(),
    namespace: text("namespace").array().notNull(),
    key: text("key").notNull(),
    value: jsonb("value").$type<Record<string, unknown>>().notNull(),
    createdAt: timestampColumn("created_at").notNull().defaultNow(),
    updatedAt: timestampColumn("updated_at").notNull().defaultNow(),
    /** Time to live in minutes (LangGraph's unit); reads refresh `expiresAt` from it. Null: forever. */
    ttlMinutes: integer("ttl_minutes"),
    expiresAt: timestampColumn("expires_at"),
  },
  (t) => [
    uniqueIndex("memory_items_tenant_namespace_key").on(t.tenantId, t.namespace, t.key),
    index("memory_items_expires_idx").on(t.expiresAt).where(sql`${t.expiresAt} is not null`),
  ],
);

export const memoryItemVectors = pgTable(
  "memory_item_vectors",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    itemId: bigint("item_id", { mode: "number" })
      .notNull()
      .references(() => memoryItems.id, { onDelete: "cascade" }),
    // Copied from the item (they never change for an item) so that the vector scan filters without a join.
    tenantId: tenantColumn(),
    namespace: text("namespace").array().notNull(),
    /**
     * The namespace's labels joined by "." with a trailing "." (labels never contain "."), collated "C" by the
     * custom migration `memory_namespace_path_collation`. A prefix is then a byte range,
     * `path >= 'a.b.' and path < 'a.b/'`, which the planner estimates from statistics, so it keeps the HNSW
     * index for broad prefixes and takes the btree for narrow ones (an array-slice test is estimated at a
     * fixed 0.5% and turned every semantic search into a full scan). Still no LIKE and no pattern characters.
     */
    namespacePath: text("namespace_path").notNull().default(""),
    /** The JSON path of the indexed field (`$` for the whole value) and its position among that path's texts. */
    fieldPath: text("field_path").notNull(),
    text: text("text").notNull(),
    textSearch: tsvector("text_search").generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english'::regconfig, ${memoryItemVectors.text})`,
    ),
    embedding: embeddingColumn(),
    embedder: embedderColumn(),
  },
  (t) => [
    index("memory_item_vectors_item_idx").on(t.itemId),
    index("memory_item_vectors_tenant_idx").on(t.tenantId, t.embedder),
    index("memory_item_vectors_namespace_path_idx").on(t.tenantId, t.namespacePath),
    index("memory_item_vectors_embedding_hnsw").using("hnsw", t.embedding.op("vector_cosine_ops")),
    index("memory_item_vectors_text_search_gin").using("gin", t.textSearch),
  ],
);

export type MemoryItemRow = typeof memoryItems.$inferSelect;
