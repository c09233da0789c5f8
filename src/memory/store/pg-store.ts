import {
  BaseStore,
  type GetOperation,
  type Item,
  type ListNamespacesOperation,
  type Operation,
  type OperationResults,
  type PutOperation,
  type SearchOperation,
} from "@langchain/langgraph";
import { and, asc, eq, gt, inArray, isNotNull, isNull, lte, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { registerEmbedder } from "../embedder-registry.js";
import { type Embedder, embedDocuments, featureHashingEmbedder } from "../embeddings.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import { indexedTexts } from "./fields.js";
import { parseFilter } from "./filter.js";
import { validateKey, validateNamespace } from "./namespace.js";
import {
  candidateCount,
  DEFAULT_EF_SEARCH,
  filteredItems,
  hybridRanking,
  keywordRanking,
  type RankedItem,
  type SearchMode,
  type SearchScope,
  semanticRanking,
} from "./search.js";
import { namespaceEquals, namespaceMatches, namespacePath } from "./sql.js";
import { type MemoryItemRow, memoryItems, memoryItemVectors } from "./store.schema.js";

/** One put of a batch. */
type ItemPut = Omit<PutOperation, "value"> & { value: Record<string, unknown>; ttl?: number };

/** Rows per multi-row statement: well under Postgres' 65,535 bind parameters at 9 columns a row. */
const ROWS_PER_STATEMENT = 1_000;

function* chunks<T>(items: readonly T[], size: number): Generator<T[]> {
  for (let i = 0; i < items.length; i += size) yield items.slice(i, i + size);
}

/** An item with its relevance (LangGraph's `SearchItem`, which `@langchain/langgraph` does not re-export). */
export type SearchItem = Item & { score?: number };

export interface PgStoreOptions {
  db: Db;
  /** Every read and write is confined to this tenant. */
  tenantId: string;
  /** Default: the offline feature-hashing embedder. */
  embedder?: Embedder;
  /** Fields embedded when a put does not say (`$` = the whole value). Default `["$"]`. */
  fields?: readonly string[];
  ttl?: {
    /** Applied to puts without a `ttl` of their own, in minutes. Default: none (items live forever). */
    defaultTtlMinutes?: number;
    /** Reading an item (get or search) restarts its TTL. Default true, as in LangGraph's stores. */
    refreshOnRead?: boolean;
  };
  /** Time source for TTLs (tests move it forward). */
  clock?: () => Date;
  /** HNSW search breadth: higher finds more of the true nearest neighbours, slower. Default 100. */
  efSearch?: number;
}

export interface StoreSearchOptions {
  filter?: Record<string, unknown>;
  limit?: number;
  offset?: number;
  query?: string;
  /** With a query: `semantic` (default), `keyword` (full-text) or `hybrid` (both, fused by rank). */
  mode?: SearchMode;
}

const MAX_LIMIT = 1_000;

/**
 * LangGraph's `BaseStore` on Postgres + pgvector, so graph nodes use `config.store` for long-term memory.
 * One instance serves one tenant (`forTenant` makes siblings that share the database and embedder).
 *
 * Extensions over the base interface, as in LangGraph's own PostgresStore: `put(…, { ttl })` in minutes,
 * `search(…, { mode })`, and `sweepExpired()`.
 */
export class PgStore extends BaseStore {
  readonly tenantId: string;
  readonly embedder: Embedder;
  private readonly db: Db;
  private readonly fields: readonly string[];
  private readonly defaultTtl: number | undefined;
  private readonly refreshOnRead: boolean;
  private readonly clock: () => Date;

  constructor(private readonly options: PgStoreOptions) {
    super();
    this.db = options.db;
    this.tenantId = options.tenantId;
    this.embedder = options.embedder ?? featureHashingEmbedder();
    this.fields = options.fields ?? ["$"];
    this.defaultTtl = options.ttl?.defaultTtlMinutes;
    this.refreshOnRead = options.ttl?.refreshOnRead ?? true;
    this.clock = options.clock ?? (() => new Date());
    if (
      options.efSearch !== undefined &&
      !(Number.isInteger(options.efSearch) && options.efSearch >= 1 && options.efSearch <= 1_000)
    ) {
      throw new MemoryError(
        MemoryErrorCode.InvalidInput,
        `efSearch is an integer from 1 to 1000, got ${options.efSearch}`,
      );
    }
  }

  /** The same store for another tenant. */
  forTenant(tenantId: string): PgStore {
    return new PgStore({ ...this.options, embedder: this.embedder, tenantId });
  }

  override async put(
    namespace: string[],
    key: string,
    value: Record<string, unknown>,
    index?: false | string[],
    options: { ttl?: number } = {},
  ): Promise<void> {
    validateNamespace(namespace);
    await this.putItem({ namespace, key, value, ...(index === undefined ? {} : { index }) }, options.ttl);
  }

  override async search(namespacePrefix: string[], options: StoreSearchOptions = {}): Promise<SearchItem[]> {
    validateNamespace(namespacePrefix, { allowEmpty: true });
    return this.searchItems({ namespacePrefix, ...options });
  }

  async batch<Op extends Operation[]>(operations: Op): Promise<OperationResults<Op>> {
    const results: unknown[] = [];
    // In order: a get after a put in the same batch sees the put. Consecutive puts are written together,
    // embedded in one call and stored in one transaction.
    for (let i = 0; i < operations.length; i++) {
      const op = operations[i]!;
      if ("namespacePrefix" in op) results.push(await this.searchItems(op));
      else if ("matchConditions" in op || ("limit" in op && !("namespace" in op))) {
        results.push(await this.listNamespacesOp(op as ListNamespacesOperation));
      } else if ("value" in op) {
        const put = op as PutOperation;
        if (put.value === null) {
          await this.deleteItem(put.namespace, put.key);
          results.push(undefined);
          continue;
        }
        const run: ItemPut[] = [{ ...put, value: put.value }];
        while (i + 1 < operations.length) {
          const next = operations[i + 1]!;
          if (!("value" in next) || "namespacePrefix" in next || (next as PutOperation).value === null) break;
          const nextPut = next as PutOperation;
          run.push({ ...nextPut, value: nextPut.value! });
          i++;
        }
        await this.putItems(run);
        for (const _ of run) results.push(undefined);
      } else results.push(await this.getItem(op as GetOperation));
    }
    return results as OperationResults<Op>;
  }

  /** Deletes this tenant's expired items; returns how many. */
  async sweepExpired(): Promise<number> {
    const deleted = await this.db
      .delete(memoryItems)
      .where(
        and(
          eq(memoryItems.tenantId, this.tenantId),
          isNotNull(memoryItems.expiresAt),
          lte(memoryItems.expiresAt, this.clock()),
        ),
      )
      .returning({ id: memoryItems.id });
    return deleted.length;
  }

  private async putItem(op: ItemPut, ttl: number | undefined): Promise<void> {
    await this.putItems([{ ...op, ...(ttl === undefined ? {} : { ttl }) }]);
  }

  /** Upserts items and replaces their vectors: one embedding call, one transaction, multi-row statements. */
  private async putItems(ops: readonly ItemPut[]): Promise<void> {
    // The last put of a (namespace, key) wins, as if the puts had run one after another.
    const latest = new Map<string, ItemPut>();
    for (const op of ops) {
      validateNamespace(op.namespace);
      validateKey(op.key);
      if (op.value === null || typeof op.value !== "object" || Array.isArray(op.value)) {
        throw new MemoryError(MemoryErrorCode.InvalidInput, "an item value is a JSON object");
      }
      const ttl = op.ttl ?? this.defaultTtl;
      if (ttl !== undefined && !(Number.isInteger(ttl) && ttl > 0)) {
        throw new MemoryError(
          MemoryErrorCode.InvalidInput,
          `ttl is a positive whole number of minutes, got ${ttl}`,
        );
      }
      const id = JSON.stringify([op.namespace, op.key]);
      latest.delete(id);
      latest.set(id, op);
    }
    const items = [...latest.entries()].map(([id, op]) => {
      const fields = op.index === false ? [] : (op.index ?? this.fields);
      return { id, op, ttl: op.ttl ?? this.defaultTtl, texts: indexedTexts(op.value, fields) };
    });
    // Embed before the transaction: a remote embedder's latency must not hold row locks.
    const vectors = await embedDocuments(
      this.embedder,
      items.flatMap((item) => item.texts.map((t) => t.text)),
    );
    const now = this.clock();
    await this.db.transaction(async (tx) => {
      const rows: { id: number; namespace: string[]; key: string }[] = [];
      for (const chunk of chunks(items, ROWS_PER_STATEMENT)) {
        rows.push(
          ...(await tx
            .insert(memoryItems)
            .values(
              chunk.map(({ op, ttl }) => ({
                tenantId: this.tenantId,
                namespace: op.namespace,
                key: op.key,
                value: op.value,
                createdAt: now,
                updatedAt: now,
                ttlMinutes: ttl ?? null,
                expiresAt: ttl === undefined ? null : new Date(now.getTime() + ttl * 60_000),
              })),
            )
            .onConflictDoUpdate({
              target: [memoryItems.tenantId, memoryItems.namespace, memoryItems.key],
              set: {
                value: sql`excluded.value`,
                updatedAt: sql`excluded.updated_at`,
                ttlMinutes: sql`excluded.ttl_minutes`,
                expiresAt: sql`excluded.expires_at`,
              },
            })
            .returning({ id: memoryItems.id, namespace: memoryItems.namespace, key: memoryItems.key })),
        );
      }
      const itemIds = new Map(rows.map((r) => [JSON.stringify([r.namespace, r.key]), r.id]));
      const ids = [...itemIds.values()];
      for (const chunk of chunks(ids, ROWS_PER_STATEMENT)) {
        await tx.delete(memoryItemVectors).where(inArray(memoryItemVectors.itemId, chunk));
      }
      let v = 0;
      const vectorRows = items.flatMap(({ id, op, texts }) =>
        texts.map((t) => ({
          itemId: itemIds.get(id)!,
          tenantId: this.tenantId,
          namespace: op.namespace,
          namespacePath: namespacePath(op.namespace),
          fieldPath: t.path,
          text: t.text,
          embedding: vectors[v++]!,
          embedder: this.embedder.id,
        })),
      );
      for (const chunk of chunks(vectorRows, ROWS_PER_STATEMENT))
        await tx.insert(memoryItemVectors).values(chunk);
      if (vectorRows.length > 0) await registerEmbedder(tx, this.embedder);
    });
  }

  private async deleteItem(namespace: string[], key: string): Promise<void> {
    validateNamespace(namespace, { allowEmpty: true });
    await this.db
      .delete(memoryItems)
      .where(
        and(
          eq(memoryItems.tenantId, this.tenantId),
          namespaceEquals(memoryItems.namespace, namespace),
          eq(memoryItems.key, key),
        ),
      );
  }

  private async getItem(op: GetOperation): Promise<Item | null> {
    validateNamespace(op.namespace, { allowEmpty: true });
    const now = this.clock();
    const [row] = await this.db
      .select()
      .from(memoryItems)
      .where(
        and(
          eq(memoryItems.tenantId, this.tenantId),
          namespaceEquals(memoryItems.namespace, op.namespace),
          eq(memoryItems.key, op.key),
          this.live(now),
        ),
      );
    if (row === undefined) return null;
    await this.refresh([row], now);
    return toItem(row);
  }

  private async searchItems(op: SearchOperation & { mode?: SearchMode }): Promise<SearchItem[]> {
    const limit = op.limit ?? 10;
    const offset = op.offset ?? 0;
    if (
      !Number.isInteger(limit) ||
      limit < 1 ||
      limit > MAX_LIMIT ||
      !Number.isInteger(offset) ||
      offset < 0
    ) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, `limit is 1–${MAX_LIMIT} and offset ≥ 0`);
    }
    const now = this.clock();
    const scope: SearchScope = {
      tenantId: this.tenantId,
      namespacePrefix: op.namespacePrefix,
      conditions: parseFilter(op.filter),
      now,
      efSearch: this.options.efSearch ?? DEFAULT_EF_SEARCH,
    };
    const query = op.query?.trim();
    if (!query) {
      const rows = await filteredItems(this.db, scope, limit, offset);
      await this.refresh(rows, now);
      return rows.map(toItem);
    }
    const candidates = candidateCount(limit, offset);
    const mode = op.mode ?? "semantic";
    let ranked: RankedItem[];
    if (mode === "semantic") {
      ranked = await semanticRanking(this.db, this.embedder, scope, query, candidates, offset + limit);
    } else if (mode === "keyword") ranked = await keywordRanking(this.db, scope, query, candidates);
    else if (mode === "hybrid")
      ranked = await hybridRanking(this.db, this.embedder, scope, query, candidates);
    else throw new MemoryError(MemoryErrorCode.InvalidInput, `unknown search mode ${String(mode)}`);
    const page = ranked.slice(offset, offset + limit);
    await this.refresh(
      page.map((r) => r.row),
      now,
    );
    return page.map((r) => ({ ...toItem(r.row), score: r.score }));
  }

  private async listNamespacesOp(op: ListNamespacesOperation): Promise<string[][]> {
    const now = this.clock();
    const conditions: SQL[] = [eq(memoryItems.tenantId, this.tenantId), this.live(now)];
    for (const condition of op.matchConditions ?? []) {
      conditions.push(namespaceMatches(memoryItems.namespace, condition.matchType, condition.path));
    }
    if (op.maxDepth !== undefined && (!Number.isInteger(op.maxDepth) || op.maxDepth < 1)) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, "maxDepth is a positive integer");
    }
    const truncated =
      op.maxDepth === undefined
        ? sql`${memoryItems.namespace}`
        : sql`${memoryItems.namespace}[1:${op.maxDepth}]`;
    const rows = await this.db
      .selectDistinct({ namespace: sql<string[]>`${truncated}`.as("ns") })
      .from(memoryItems)
      .where(and(...conditions))
      .orderBy(asc(sql`ns`))
      .limit(op.limit ?? 100)
      .offset(op.offset ?? 0);
    return rows.map((r) => r.namespace);
  }

  /** Restarts the TTL of items that have one (LangGraph's refresh-on-read). */
  private async refresh(rows: readonly MemoryItemRow[], now: Date): Promise<void> {
    if (!this.refreshOnRead) return;
    const ids = rows.filter((r) => r.ttlMinutes !== null).map((r) => r.id);
    if (ids.length === 0) return;
    await this.db
      .update(memoryItems)
      .set({
        expiresAt: sql`${now.toISOString()}::timestamptz + make_interval(mins => ${memoryItems.ttlMinutes})`,
      })
      .where(inArray(memoryItems.id, ids));
  }

  private live(now: Date): SQL {
    return or(isNull(memoryItems.expiresAt), gt(memoryItems.expiresAt, now)) as SQL;
  }
}

function toItem(row: MemoryItemRow): Item {
  return {
    namespace: row.namespace,
    key: row.key,
    value: row.value,
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}
