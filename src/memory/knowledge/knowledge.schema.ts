import { type SQL, sql } from "drizzle-orm";
import { bigserial, check, index, jsonb, pgTable, primaryKey, text, uuid } from "drizzle-orm/pg-core";
import { leads } from "../../db/schema.js";
import { embedderColumn, embeddingColumn, tenantColumn, timestampColumn, tsvector } from "../columns.js";

/**
 * Semantic memory: a knowledge graph of entities, their aliases (entity resolution) and bi-temporal facts.
 *
 * A fact is (subject, predicate, object entity | value): with an object entity it is a typed relation.
 * Two time axes: `validFrom`/`validTo` say when it was true in the world; `recordedAt`/`retiredAt` say when
 * we believed it. Rows are never updated in meaning: a superseded belief is retired and, where part of its
 * validity still stands, replaced by a closed copy, so "what did we believe on date X" stays answerable.
 */
export const ENTITY_TYPES = ["company", "person", "product", "segment", "campaign", "topic"] as const;
export type EntityType = (typeof ENTITY_TYPES)[number];

export const memoryEntities = pgTable(
  "memory_entities",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantColumn(),
    type: text("type").$type<EntityType>().notNull(),
    name: text("name").notNull(),
    attributes: jsonb("attributes").$type<Record<string, unknown>>().notNull().default({}),
    /** The lead a person entity stands for: erasing the lead erases the entity and its facts. */
    leadId: uuid("lead_id").references(() => leads.id, { onDelete: "cascade" }),
    createdAt: timestampColumn("created_at").notNull().defaultNow(),
    updatedAt: timestampColumn("updated_at").notNull().defaultNow(),
  },
  (t) => [
    index("memory_entities_tenant_type_idx").on(t.tenantId, t.type),
    index("memory_entities_lead_idx").on(t.leadId),
  ],
);

/** Every normalized name an entity is known by, unique per tenant and type: the resolution table. */
export const memoryEntityAliases = pgTable(
  "memory_entity_aliases",
  {
    tenantId: tenantColumn(),
    type: text("type").$type<EntityType>().notNull(),
    aliasKey: text("alias_key").notNull(),
    alias: text("alias").notNull(),
    entityId: uuid("entity_id")
      .notNull()
      .references(() => memoryEntities.id, { onDelete: "cascade" }),
  },
  (t) => [
    primaryKey({ columns: [t.tenantId, t.type, t.aliasKey] }),
    index("memory_entity_aliases_entity_idx").on(t.entityId),
    // Query resolution looks up n-grams of the question across all types.
    index("memory_entity_aliases_key_idx").on(t.tenantId, t.aliasKey),
  ],
);

export const memoryFacts = pgTable(
  "memory_facts",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantColumn(),
    subjectId: uuid("subject_id")
      .notNull()
      .references(() => memoryEntities.id, { onDelete: "cascade" }),
    predicate: text("predicate").notNull(),
    objectId: uuid("object_id").references(() => memoryEntities.id, { onDelete: "cascade" }),
    value: jsonb("value"),
    /** The fact as a sentence: what is embedded and full-text indexed. */
    statement: text("statement").notNull(),
    statementSearch: tsvector("statement_search").generatedAlwaysAs(
      (): SQL => sql`to_tsvector('english'::regconfig, ${memoryFacts.statement})`,
    ),
    source: text("source"),
    validFrom: timestampColumn("valid_from").notNull(),
    validTo: timestampColumn("valid_to"),
    recordedAt: timestampColumn("recorded_at").notNull().defaultNow(),
    retiredAt: timestampColumn("retired_at"),
    embedding: embeddingColumn(),
    embedder: embedderColumn(),
  },
  (t) => [
    index("memory_facts_subject_idx")
      .on(t.tenantId, t.subjectId, t.predicate)
      .where(sql`${t.retiredAt} is null`),
    index("memory_facts_object_idx").on(t.tenantId, t.objectId).where(sql`${t.objectId} is not null`),
    index("memory_facts_embedding_hnsw").using("hnsw", t.embedding.op("vector_cosine_ops")),
    index("memory_facts_statement_search_gin").using("gin", t.statementSearch),
    check("memory_facts_object_or_value", sql`(${t.objectId} is null) <> (${t.value} is null)`),
    check("memory_facts_valid_interval", sql`${t.validTo} is null or ${t.validTo} > ${t.validFrom}`),
  ],
);

export type EntityRow = typeof memoryEntities.$inferSelect;
export type FactRow = typeof memoryFacts.$inferSelect;
