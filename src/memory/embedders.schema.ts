import { integer, pgTable, text } from "drizzle-orm/pg-core";
import { timestampColumn } from "./columns.js";

/**
 * Every embedder whose vectors are stored, across all memory tables. A search first checks that its own
 * embedder is the only one here: comparing vectors of two models is meaningless, so a mix is an error until
 * `migrate --reembed` has re-embedded everything (and left one row).
 */
export const memoryEmbedders = pgTable("memory_embedders", {
  embedderId: text("embedder_id").primaryKey(),
  dimensions: integer("dimensions").notNull(),
  registeredAt: timestampColumn("registered_at").notNull().defaultNow(),
});
