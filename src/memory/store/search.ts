import { and, desc, eq, gt, isNull, or, type SQL, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.js";
import { embedderMismatch } from "../embedder-registry.js";
import { memoryEmbedders } from "../embedders.schema.js";
import { type Embedder, embedQuery, tokenize, vectorLiteral } from "../embeddings.js";
import { reciprocalRankFusion } from "../rank-fusion.js";
import type { FilterCondition } from "./filter.js";
import { filterSql, namespaceHasPrefix, namespacePathHasPrefix, orTsQuery } from "./sql.js";
import { type MemoryItemRow, memoryItems, memoryItemVectors } from "./store.schema.js";

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
  /** HNSW candidate list size (`hnsw.ef_search`); raised to the number of candidates a page needs. */
  efSearch: number;
}

/**
 * Default `hnsw.ef_search`, measured at 100k vectors on the server (bench/suites/memory.ts): pgvector's
 * default, 40, gave recall@10 0.98 on a text-like (low intrinsic dimension) distribution but 0.82 on tight
 * uniform clusters; 100 gave 0.99 and 0.939; 200 gives 0.999 and 0.974 (the goal is ≥ 0.95 on both), with a
 * text-like top-10 p50 of 8.2 ms through the store (load 3 on 2 CPUs).
 */
export const DEFAULT_EF_SEARCH = 200;

/** An item with its score in one ranking; the row comes with it, so no second query fetches the page. */
export interface RankedItem {
  itemId: number;
  score: number;
  row: MemoryItemRow;
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

/** The item columns as raw SQL returns them (snake_case), for `toRow`. */
const ITEM_COLUMNS = sql`i.id, i.tenant_id, i.namespace, i.key, i.value, i.created_at, i.updated_at, i.ttl_minutes, i.expires_at`;

type RawItem = Record<string, unknown> & { id: number | string; score: number };

function toRanked(raw: RawItem): RankedItem {
  const date = (v: unknown) =>
    v === null || v === undefined ? null : v instanceof Date ? v : new Date(String(v));
  const row: MemoryItemRow = {
    id: Number(raw.id),
    tenantId: String(raw.tenant_id),
    namespace: raw.namespace as string[],
    key: String(raw.key),
    value: (typeof raw.value === "string" ? JSON.parse(raw.value) : raw.value) as Record<string, unknown>,
    createdAt: date(raw.created_at)!,
    updatedAt: date(raw.updated_at)!,
    ttlMinutes: raw.ttl_minutes === null ? null : Number(raw.ttl_minutes),
    expiresAt: date(raw.expires_at),
  };
  return { itemId: row.id, score: Number(raw.score), row };
}

/**
 * Nearest items by cosine distance, in one transaction of two statements: the first sets `hnsw.*` for
 * this transaction and checks the embedder registry (see embedder-registry.ts), the second ranks and
 * returns the items (discarded, with the transaction, when the check fails). `SET LOCAL`-style settings turn on pgvector 0.8's iterative index scan
 * (https://github.com/pgvector/pgvector#iterative-index-scans): with filters, a plain HNSW scan returns only
 * `ef_search` candidates and then filters them, which can leave fewer than `limit` rows; the iterative scan
 * keeps going until enough rows pass. `relaxed_order` may return rows slightly out of order, so the outer
 * query sorts again.
 */
export async function semanticRanking(
  db: Db,
  embedder: Embedder,
  scope: SearchScope,
  query: string,
  candidates: number,
  /** Items to return, best first (default all candidates): a page needs no more rows than limit + offset. */
  take: number = candidates,
): Promise<RankedItem[]> {
  const vector = vectorLiteral(await embedQuery(embedder, query));
  const rows = await db.transaction(async (tx) => {
    // Both statements are sent at once: on postgres.js they are pipelined on the transaction's connection
    // (one round trip) and run in order, so the settings apply to the search.
    const settingsQuery = queryRows<{ others: string[] | null }>(
      tx,
      sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true),
                 set_config('hnsw.ef_search', ${String(Math.min(1_000, Math.max(scope.efSearch, candidates)))}, true),
                 (select array_agg(${memoryEmbedders.embedderId}) from ${memoryEmbedders}
                  where ${memoryEmbedders.embedderId} <> ${embedder.id}) as others`,
    );
    const searchQuery = queryRows<RawItem>(
      tx,
      sql`select ${ITEM_COLUMNS}, r.score
          from (
            select c.item_id, max(1 - c.distance) as score
            from (
              select ${memoryItemVectors.itemId} as item_id, ${memoryItemVectors.embedding} <=> ${vector}::vector as distance
              from ${memoryItemVectors}
              join ${memoryItems} on ${memoryItems.id} = ${memoryItemVectors.itemId}
              where ${scopeSql(scope)} and ${memoryItemVectors.embedder} = ${embedder.id}
              order by ${memoryItemVectors.embedding} <=> ${vector}::vector
              limit ${candidates}
            ) c
            group by c.item_id
            order by score desc, c.item_id
            limit ${take}
          ) r
          join ${memoryItems} i on i.id = r.item_id
          order by r.score desc, r.item_id`,
    );
    const [[settings], found] = await Promise.all([settingsQuery, searchQuery]);
    if (settings?.others && settings.others.length > 0) throw embedderMismatch(embedder, settings.others);
    return found;
  });
  return rows.map(toRanked);
}

/** Items whose indexed texts share words with the query (any word; stemmed), by `ts_rank_cd`. */
export async function keywordRanking(
  db: Db,
  scope: SearchScope,
  query: string,
  candidates: number,
): Promise<RankedItem[]> {
  const tsquery = orTsQuery(tokenize(query));
  if (tsquery === null) return [];
  const rows = await queryRows<RawItem>(
    db,
    sql`select ${ITEM_COLUMNS}, r.score
        from (
          select ${memoryItemVectors.itemId} as item_id, max(ts_rank_cd(${memoryItemVectors.textSearch}, q)) as score
          from ${memoryItemVectors}
          join ${memoryItems} on ${memoryItems.id} = ${memoryItemVectors.itemId},
          to_tsquery('english', ${tsquery}) q
          where ${scopeSql(scope)} and ${memoryItemVectors.textSearch} @@ q
          group by ${memoryItemVectors.itemId}
          order by score desc, item_id
          limit ${candidates}
        ) r
        join ${memoryItems} i on i.id = r.item_id
        order by r.score desc, r.item_id`,
  );
  return rows.map(toRanked);
}

/** Semantic and keyword rankings fused by reciprocal rank; the score is the fused score. */
export async function hybridRanking(
  db: Db,
  embedder: Embedder,
  scope: SearchScope,
  query: string,
  candidates: number,
): Promise<RankedItem[]> {
  const semantic = await semanticRanking(db, embedder, scope, query, candidates);
  const keyword = await keywordRanking(db, scope, query, candidates);
  const rows = new Map([...semantic, ...keyword].map((r) => [r.itemId, r.row]));
  return reciprocalRankFusion([
    { name: "semantic", ids: semantic.map((r) => r.itemId) },
    { name: "keyword", ids: keyword.map((r) => r.itemId) },
  ]).map((f) => ({ itemId: f.id, score: f.score, row: rows.get(f.id)! }));
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
