import { and, desc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.js";
import { assertSingleEmbedder } from "../embedder-registry.js";
import { type Embedder, embedQuery, tokenize, vectorLiteral } from "../embeddings.js";
import { reciprocalRankFusion } from "../rank-fusion.js";
import type { FilterCondition } from "./filter.js";
import { filterSql, namespaceHasPrefix, namespacePathHasPrefix, orTsQuery } from "./sql.js";
import { memoryItems, memoryItemVectors } from "./store.schema.js";

/**
 * The store's search queries. Semantic search ranks items by the best cosine similarity of any of their
 * indexed texts (HNSW); keyword search by Postgres full-text rank; hybrid fuses both rankings by reciprocal
 * rank. Every query is confined to one tenant and one namespace prefix before anything is ranked.
 */
export type SearchMode = "semantic" | "keyword" | "hybrid";

export interface SearchScope {
  tenantId: string;
  namespacePrefix: readonly string[];
  conditions: readonly FilterCondition[];
  now: Date;
}

export interface RankedId {
  itemId: number;
  score: number;
}

/** How many candidates a ranked list fetches: enough for the page, and for fusion to have overlap. */
export function candidateCount(limit: number, offset: number): number {
  return Math.min(1_000, Math.max(40, (limit + offset) * 3));
}

function liveItem(now: Date): SQL {
  return or(isNull(memoryItems.expiresAt), gt(memoryItems.expiresAt, now)) as SQL;
}

function scopeSql(scope: SearchScope): SQL {
  return and(
    eq(memoryItemVectors.tenantId, scope.tenantId),
    namespacePathHasPrefix(memoryItemVectors.namespacePath, scope.namespacePrefix),
    liveItem(scope.now),
    filterSql(memoryItems.value, scope.conditions),
  ) as SQL;
}

/**
 * Nearest items by cosine distance. Runs in a transaction so that `SET LOCAL` can turn on pgvector 0.8's
 * iterative index scan (https://github.com/pgvector/pgvector#iterative-index-scans): with filters, a plain
 * HNSW scan returns only `ef_search` candidates and then filters them, which can leave fewer than `limit`
 * rows; the iterative scan keeps going until enough rows pass. `relaxed_order` may return rows slightly out
 * of order, so the outer query sorts again.
 */
export async function semanticRanking(
  db: Db,
  embedder: Embedder,
  scope: SearchScope,
  query: string,
  candidates: number,
): Promise<RankedId[]> {
  await assertSingleEmbedder(db, embedder);
  const vector = vectorLiteral(await embedQuery(embedder, query));
  return db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true),
                 set_config('hnsw.ef_search', ${String(Math.min(1_000, Math.max(40, candidates)))}, true)`,
    );
    const rows = await queryRows<{ item_id: string | number; score: number }>(
      tx,
      sql`select c.item_id, max(1 - c.distance) as score
          from (
            select ${memoryItemVectors.itemId} as item_id, ${memoryItemVectors.embedding} <=> ${vector}::vector as distance
            from ${memoryItemVectors}
            join ${memoryItems} on ${memoryItems.id} = ${memoryItemVectors.itemId}
            where ${scopeSql(scope)} and ${memoryItemVectors.embedder} = ${embedder.id}
            order by ${memoryItemVectors.embedding} <=> ${vector}::vector
            limit ${candidates}
          ) c
          group by c.item_id
          order by score desc, c.item_id`,
    );
    return rows.map((r) => ({ itemId: Number(r.item_id), score: Number(r.score) }));
  });
}

/** Items whose indexed texts share words with the query (any word; stemmed), by `ts_rank_cd`. */
export async function keywordRanking(
  db: Db,
  scope: SearchScope,
  query: string,
  candidates: number,
): Promise<RankedId[]> {
  const tsquery = orTsQuery(tokenize(query));
  if (tsquery === null) return [];
  const rows = await queryRows<{ item_id: string | number; score: number }>(
    db,
    sql`select ${memoryItemVectors.itemId} as item_id, max(ts_rank_cd(${memoryItemVectors.textSearch}, q)) as score
        from ${memoryItemVectors}
        join ${memoryItems} on ${memoryItems.id} = ${memoryItemVectors.itemId},
        to_tsquery('english', ${tsquery}) q
        where ${scopeSql(scope)} and ${memoryItemVectors.textSearch} @@ q
        group by ${memoryItemVectors.itemId}
        order by score desc, item_id
        limit ${candidates}`,
  );
  return rows.map((r) => ({ itemId: Number(r.item_id), score: Number(r.score) }));
}

/** Semantic and keyword rankings fused by reciprocal rank; the score is the fused score. */
export async function hybridRanking(
  db: Db,
  embedder: Embedder,
  scope: SearchScope,
  query: string,
  candidates: number,
): Promise<RankedId[]> {
  const semantic = await semanticRanking(db, embedder, scope, query, candidates);
  const keyword = await keywordRanking(db, scope, query, candidates);
  return reciprocalRankFusion([
    { name: "semantic", ids: semantic.map((r) => r.itemId) },
    { name: "keyword", ids: keyword.map((r) => r.itemId) },
  ]).map((f) => ({ itemId: f.id, score: f.score }));
}

/** Without a query: the newest matching items. */
export async function filteredItems(
  db: Db,
  scope: SearchScope,
  limit: number,
  offset: number,
): Promise<(typeof memoryItems.$inferSelect)[]> {
  return db
    .select()
    .from(memoryItems)
    .where(
      and(
        eq(memoryItems.tenantId, scope.tenantId),
        namespaceHasPrefix(memoryItems.namespace, scope.namespacePrefix),
        liveItem(scope.now),
        filterSql(memoryItems.value, scope.conditions),
      ),
    )
    .orderBy(desc(memoryItems.updatedAt), desc(memoryItems.id))
    .limit(limit)
    .offset(offset);
}
