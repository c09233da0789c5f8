import { and, eq, inArray, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "../../db/client.js";
import { assertSingleEmbedder } from "../embedder-registry.js";
import { type Embedder, embedQuery, tokenize, vectorLiteral } from "../embeddings.js";
import { reciprocalRankFusion } from "../rank-fusion.js";
import { orTsQuery } from "../store/sql.js";
import { type Entity, type Fact, factsByIds } from "./graph.js";
import { memoryEntities, memoryEntityAliases, memoryFacts } from "./knowledge.schema.js";
import { mentionCandidates } from "./resolution.js";
import type { AsOf } from "./temporal.js";

/**
 * Hybrid retrieval over the knowledge graph. Three rankings of the facts believed as of the query's time:
 * - vector: cosine similarity of the fact's statement to the question (HNSW);
 * - keyword: Postgres full-text match of the statement (any of the question's words, stemmed);
 * - graph: facts about the entities the question names (resolved through the alias table), then facts about
 *   their neighbours one relation away, so "what does Acme use" also surfaces facts about Acme's vendors;
 * fused by reciprocal rank (rank-fusion.ts), because their scores are not comparable.
 */
const Instant = z.union([z.iso.datetime({ offset: true }), z.date()]);

export const KnowledgeQuery = z
  .object({
    query: z.string().trim().min(1).max(2_000),
    limit: z.number().int().min(1).max(50).optional(),
    /** "What did we believe on date X about date X": sets both time axes. Default now. */
    asOf: Instant.optional(),
    /** When the facts should hold in the world (overrides asOf on that axis). */
    validAt: Instant.optional(),
    /** What we had recorded by then (overrides asOf on that axis). */
    knownAt: Instant.optional(),
  })
  .strict();
export type KnowledgeQuery = z.input<typeof KnowledgeQuery>;

export interface KnowledgeHit {
  fact: Fact;
  score: number;
  /** 1-based rank of the fact in each list that found it. */
  ranks: { vector?: number; keyword?: number; graph?: number };
}

export interface KnowledgeAnswer {
  hits: KnowledgeHit[];
  /** Entities the question names. */
  mentioned: Pick<Entity, "id" | "type" | "name">[];
  asOf: AsOf;
}

const CANDIDATES = 50;

export async function queryKnowledge(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  raw: KnowledgeQuery,
  clock: () => Date = () => new Date(),
): Promise<KnowledgeAnswer> {
  const input = KnowledgeQuery.parse(raw);
  const limit = input.limit ?? 10;
  const base = input.asOf === undefined ? clock() : new Date(input.asOf);
  const asOf: AsOf = {
    validAt: input.validAt === undefined ? base : new Date(input.validAt),
    knownAt: input.knownAt === undefined ? base : new Date(input.knownAt),
  };
  const believed = believedAt(asOf);

  const mentioned = await mentionedEntities(db, tenantId, input.query);
  const vector = await vectorRanking(db, embedder, tenantId, input.query, believed);
  const keyword = await keywordRanking(db, tenantId, input.query, believed);
  // Without a named entity, the subjects of the best semantic matches anchor the neighbourhood.
  const seeds =
    mentioned.length > 0
      ? mentioned.map((e) => e.id)
      : [...new Set(vector.slice(0, 2).map((v) => v.subjectId))];
  const graph = await graphRanking(db, tenantId, seeds, believed);

  const fused = reciprocalRankFusion([
    { name: "vector", ids: vector.map((v) => v.id) },
    { name: "keyword", ids: keyword },
    { name: "graph", ids: graph },
  ]).slice(0, limit);
  const facts = await factsByIds(
    db,
    tenantId,
    fused.map((f) => f.id),
  );
  const byId = new Map(facts.map((f) => [f.id, f]));
  return {
    hits: fused.flatMap((f) => {
      const fact = byId.get(f.id);
      return fact ? [{ fact, score: f.score, ranks: f.ranks }] : [];
    }),
    mentioned,
    asOf,
  };
}

/** Both axes: recorded by `knownAt` and not yet retired then; valid at `validAt`. */
function believedAt({ validAt, knownAt }: AsOf): SQL {
  const known = knownAt.toISOString();
  const valid = validAt.toISOString();
  return sql`${memoryFacts.recordedAt} <= ${known}::timestamptz
    and (${memoryFacts.retiredAt} is null or ${memoryFacts.retiredAt} > ${known}::timestamptz)
    and ${memoryFacts.validFrom} <= ${valid}::timestamptz
    and (${memoryFacts.validTo} is null or ${memoryFacts.validTo} > ${valid}::timestamptz)`;
}

async function mentionedEntities(db: Db, tenantId: string, query: string) {
  const candidates = mentionCandidates(query);
  if (candidates.length === 0) return [];
  return db
    .selectDistinct({ id: memoryEntities.id, type: memoryEntities.type, name: memoryEntities.name })
    .from(memoryEntityAliases)
    .innerJoin(memoryEntities, eq(memoryEntities.id, memoryEntityAliases.entityId))
    .where(
      and(eq(memoryEntityAliases.tenantId, tenantId), inArray(memoryEntityAliases.aliasKey, candidates)),
    );
}

async function vectorRanking(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  query: string,
  believed: SQL,
): Promise<{ id: number; subjectId: string }[]> {
  await assertSingleEmbedder(db, embedder);
  const vector = vectorLiteral(await embedQuery(embedder, query));
  const rows = await db.transaction(async (tx) => {
    // Iterative scan: the validity filter may reject many near neighbours (see store/search.ts).
    await tx.execute(
      sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true), set_config('hnsw.ef_search', '100', true)`,
    );
    return queryRows<{ id: number | string; subject_id: string; distance: number }>(
      tx,
      sql`select ${memoryFacts.id} as id, ${memoryFacts.subjectId} as subject_id,
                 ${memoryFacts.embedding} <=> ${vector}::vector as distance
          from ${memoryFacts}
          where ${memoryFacts.tenantId} = ${tenantId} and ${memoryFacts.embedder} = ${embedder.id} and ${believed}
          order by ${memoryFacts.embedding} <=> ${vector}::vector
          limit ${CANDIDATES}`,
    );
  });
  // relaxed_order may swap near-equal neighbours: restore the exact order.
  rows.sort((a, b) => Number(a.distance) - Number(b.distance) || Number(a.id) - Number(b.id));
  return rows.map((r) => ({ id: Number(r.id), subjectId: r.subject_id }));
}

async function keywordRanking(db: Db, tenantId: string, query: string, believed: SQL): Promise<number[]> {
  const tsquery = orTsQuery(tokenize(query));
  if (tsquery === null) return [];
  const rows = await queryRows<{ id: number | string }>(
    db,
    sql`select ${memoryFacts.id} as id
        from ${memoryFacts}, to_tsquery('english', ${tsquery}) q
        where ${memoryFacts.tenantId} = ${tenantId} and ${believed} and ${memoryFacts.statementSearch} @@ q
        order by ts_rank_cd(${memoryFacts.statementSearch}, q) desc, ${memoryFacts.id}
        limit ${CANDIDATES}`,
  );
  return rows.map((r) => Number(r.id));
}

/** Facts touching the seeds (hop 0), then facts about the seeds' neighbours (hop 1); newest first within a hop. */
async function graphRanking(
  db: Db,
  tenantId: string,
  seeds: readonly string[],
  believed: SQL,
): Promise<number[]> {
  if (seeds.length === 0) return [];
  const seedArray = sql`array[${sql.join(
    seeds.map((id) => sql`${id}::uuid`),
    sql`, `,
  )}]`;
  const rows = await queryRows<{ id: number | string }>(
    db,
    sql`with neighbours as (
          select distinct case when ${memoryFacts.subjectId} = any(${seedArray}) then ${memoryFacts.objectId}
                               else ${memoryFacts.subjectId} end as id
          from ${memoryFacts}
          where ${memoryFacts.tenantId} = ${tenantId} and ${believed} and ${memoryFacts.objectId} is not null
            and (${memoryFacts.subjectId} = any(${seedArray}) or ${memoryFacts.objectId} = any(${seedArray}))
        )
        select ${memoryFacts.id} as id,
               case when ${memoryFacts.subjectId} = any(${seedArray}) or ${memoryFacts.objectId} = any(${seedArray})
                    then 0 else 1 end as hop
        from ${memoryFacts}
        where ${memoryFacts.tenantId} = ${tenantId} and ${believed}
          and (${memoryFacts.subjectId} = any(${seedArray}) or ${memoryFacts.objectId} = any(${seedArray})
               or ${memoryFacts.subjectId} in (select id from neighbours))
        order by hop, ${memoryFacts.recordedAt} desc, ${memoryFacts.id}
        limit ${CANDIDATES}`,
  );
  return rows.map((r) => Number(r.id));
}
