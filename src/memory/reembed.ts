import { type AnyColumn, sql } from "drizzle-orm";
import type { PgTable } from "drizzle-orm/pg-core";
import { type Db, queryRows } from "../db/client.js";
import { resetEmbedders } from "./embedder-registry.js";
import { type Embedder, embedDocuments, vectorLiteral } from "./embeddings.js";
import { memoryEpisodes } from "./episodes/episodes.schema.js";
import { memoryFacts } from "./knowledge/knowledge.schema.js";
import { memoryItemVectors } from "./store/store.schema.js";

/**
 * `migrate --reembed`: re-embeds every stored memory text with the current embedder, in batches keyed by id
 * (resumable: rows already made by this embedder are skipped unless `all`), then records the current embedder
 * as the only one, which lets searches run again. Every vector table keeps the text it was embedded from.
 */
interface VectorTable {
  name: string;
  table: PgTable;
  id: AnyColumn;
  text: AnyColumn;
  embedding: AnyColumn;
  embedder: AnyColumn;
}

const VECTOR_TABLES: readonly VectorTable[] = [
  {
    name: "store items",
    table: memoryItemVectors,
    id: memoryItemVectors.id,
    text: memoryItemVectors.text,
    embedding: memoryItemVectors.embedding,
    embedder: memoryItemVectors.embedder,
  },
  {
    name: "episodes",
    table: memoryEpisodes,
    id: memoryEpisodes.id,
    text: memoryEpisodes.summary,
    embedding: memoryEpisodes.embedding,
    embedder: memoryEpisodes.embedder,
  },
  {
    name: "facts",
    table: memoryFacts,
    id: memoryFacts.id,
    text: memoryFacts.statement,
    embedding: memoryFacts.embedding,
    embedder: memoryFacts.embedder,
  },
];

export interface ReembedOptions {
  /** Also re-embed rows already made by the current embedder (e.g. after changing its parameters). */
  all?: boolean;
  batchSize?: number;
  /** Called after every batch: rows done and to do, over all tables. */
  onProgress?: (done: number, total: number, table: string) => void;
}

export interface ReembedReport {
  embedder: string;
  total: number;
  byTable: Record<string, number>;
}

export async function reembedAll(
  db: Db,
  embedder: Embedder,
  options: ReembedOptions = {},
): Promise<ReembedReport> {
  const batchSize = options.batchSize ?? 256;
  const stale = (t: VectorTable) => (options.all ? sql`true` : sql`${t.embedder} <> ${embedder.id}`);
  const counts = await Promise.all(
    VECTOR_TABLES.map(async (t) => {
      const [row] = await queryRows<{ n: number }>(
        db,
        sql`select count(*)::int as n from ${t.table} where ${stale(t)}`,
      );
      return Number(row?.n ?? 0);
    }),
  );
  const total = counts.reduce((a, b) => a + b, 0);
  const byTable: Record<string, number> = {};
  let done = 0;
  options.onProgress?.(0, total, VECTOR_TABLES[0]!.name);
  for (const t of VECTOR_TABLES) {
    byTable[t.name] = 0;
    let after = 0;
    for (;;) {
      const rows = await queryRows<{ id: number | string; text: string }>(
        db,
        sql`select ${t.id} as id, ${t.text} as text from ${t.table}
            where ${t.id} > ${after} and ${stale(t)} order by ${t.id} limit ${batchSize}`,
      );
      if (rows.length === 0) break;
      const vectors = await embedDocuments(
        embedder,
        rows.map((r) => r.text),
      );
      // One UPDATE per batch from a VALUES list: a round trip per row would dominate on a server.
      const values = sql.join(
        rows.map((r, i) => sql`(${Number(r.id)}::bigint, ${vectorLiteral(vectors[i]!)}::vector)`),
        sql`, `,
      );
      await db.execute(
        sql`update ${t.table} set ${sql.identifier(t.embedding.name)} = v.embedding, ${sql.identifier(t.embedder.name)} = ${embedder.id}
            from (values ${values}) as v(id, embedding)
            where ${t.id} = v.id`,
      );
      after = Number(rows[rows.length - 1]!.id);
      byTable[t.name] = (byTable[t.name] ?? 0) + rows.length;
      done += rows.length;
      options.onProgress?.(done, total, t.name);
    }
  }
  await resetEmbedders(db, embedder);
  return { embedder: embedder.id, total: done, byTable };
}
