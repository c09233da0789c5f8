import { and, desc, eq, sql } from "drizzle-orm";
import { type Db, queryRows } from "../../db/client.js";
import { assertSingleEmbedder, registerEmbedder } from "../embedder-registry.js";
import { type Embedder, embedDocuments, embedQuery, vectorLiteral } from "../embeddings.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import { memoryEpisodes } from "./episodes.schema.js";
import { type ActionScore, type RankActionsOptions, rankActions } from "./ranking.js";

/**
 * Episodic memory. An episode is embedded from its lead's *context* (segment, source, class, role,
 * company, stage, last activity), not from the action, so that a nearest-neighbour search finds episodes of
 * similar leads whatever was done to them; ranking what was done is `rankActions`. Names and emails are
 * never part of the context: an embedding of personal data would outlive erasure in backups and indexes.
 */
export interface LeadContext {
  segment: string;
  source?: string | null;
  class?: string | null;
  title?: string | null;
  company?: string | null;
  stage?: string | null;
  lastActivity?: string | null;
}

export interface EpisodeInput {
  leadId?: string | null;
  context: LeadContext;
  agent: string;
  action: string;
  variantId?: string | null;
  campaignId?: string | null;
  outcome?: string | null;
  reward?: number;
  occurredAt?: Date;
  outcomeEventId?: number | null;
}

export interface Episode {
  id: number;
  leadId: string | null;
  segment: string;
  agent: string;
  action: string;
  variantId: string | null;
  campaignId: string | null;
  outcome: string | null;
  reward: number;
  context: LeadContext;
  occurredAt: Date;
}

const CONTEXT_FIELDS = ["segment", "source", "class", "title", "company", "stage", "lastActivity"] as const;

/** The embedded text: "segment: google/hot; source: Google; class: hot; title: CTO; …", fields in a fixed order. */
export function contextText(context: LeadContext): string {
  return CONTEXT_FIELDS.flatMap((f) => {
    const v = context[f];
    return v === undefined || v === null || v === "" ? [] : [`${f}: ${v}`];
  }).join("; ");
}

/** Only the known context fields: a caller's extra properties (an email, say) never reach the table. */
export function pickContext(context: LeadContext): Record<string, unknown> {
  const picked: Record<string, unknown> = { segment: context.segment };
  for (const f of CONTEXT_FIELDS) if (context[f] !== undefined) picked[f] = context[f];
  return picked;
}

/** An episode with its vector, made before the transaction that inserts it (embedding may be remote). */
export interface PreparedEpisode {
  input: EpisodeInput;
  summary: string;
  vector: number[];
  embedderId: string;
}

export async function prepareEpisodes(
  embedder: Embedder,
  inputs: readonly EpisodeInput[],
): Promise<PreparedEpisode[]> {
  for (const input of inputs) {
    if (input.reward !== undefined && !Number.isFinite(input.reward)) {
      throw new MemoryError(MemoryErrorCode.InvalidInput, "an episode's reward must be a finite number");
    }
  }
  const summaries = inputs.map((i) => contextText(i.context));
  const vectors = await embedDocuments(embedder, summaries);
  return inputs.map((input, i) => ({
    input,
    summary: summaries[i]!,
    vector: vectors[i]!,
    embedderId: embedder.id,
  }));
}

export async function insertEpisodes(
  tx: Db,
  embedder: Embedder,
  tenantId: string,
  prepared: readonly PreparedEpisode[],
): Promise<number[]> {
  if (prepared.length === 0) return [];
  const rows = await tx
    .insert(memoryEpisodes)
    .values(
      prepared.map(({ input, summary, vector, embedderId }) => ({
        tenantId,
        leadId: input.leadId ?? null,
        outcomeEventId: input.outcomeEventId ?? null,
        segment: input.context.segment,
        agent: input.agent,
        action: input.action,
        variantId: input.variantId ?? null,
        campaignId: input.campaignId ?? null,
        outcome: input.outcome ?? null,
        reward: input.reward ?? 0,
        context: pickContext(input.context),
        summary,
        embedding: vector,
        embedder: embedderId,
        ...(input.occurredAt ? { occurredAt: input.occurredAt } : {}),
      })),
    )
    .returning({ id: memoryEpisodes.id });
  await registerEmbedder(tx, embedder);
  return rows.map((r) => r.id);
}

/** Records episodes (embedding first, then one transaction). */
export async function recordEpisodes(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  inputs: readonly EpisodeInput[],
): Promise<number[]> {
  const prepared = await prepareEpisodes(embedder, inputs);
  return db.transaction((tx) => insertEpisodes(tx, embedder, tenantId, prepared));
}

export interface SimilarSuccessesOptions extends Partial<RankActionsOptions> {
  /** Actions to return (default 5). */
  k?: number;
  /** Nearest episodes to rank over (default 200). */
  candidates?: number;
  /** Only episodes of this agent. */
  agent?: string;
}

export interface SimilarSuccesses {
  actions: ActionScore[];
  /** How many episodes were considered. */
  episodes: number;
}

/**
 * The most successful actions for leads similar to `context`: the nearest episodes by cosine similarity
 * of their lead context (HNSW, iterative scan within the tenant), ranked by `rankActions`.
 */
export async function similarSuccesses(
  db: Db,
  embedder: Embedder,
  tenantId: string,
  context: LeadContext,
  options: SimilarSuccessesOptions = {},
): Promise<SimilarSuccesses> {
  const k = options.k ?? 5;
  const candidates = options.candidates ?? 200;
  if (
    !Number.isInteger(k) ||
    k < 1 ||
    !Number.isInteger(candidates) ||
    candidates < 1 ||
    candidates > 1_000
  ) {
    throw new MemoryError(MemoryErrorCode.InvalidInput, "k ≥ 1 and candidates 1–1000");
  }
  await assertSingleEmbedder(db, embedder);
  const vector = vectorLiteral(await embedQuery(embedder, contextText(context)));
  const rows = await db.transaction(async (tx) => {
    await tx.execute(
      sql`select set_config('hnsw.iterative_scan', 'relaxed_order', true),
                 set_config('hnsw.ef_search', ${String(Math.max(40, candidates))}, true)`,
    );
    return queryRows<{
      lead_id: string | null;
      action: string;
      variant_id: string | null;
      reward: number;
      similarity: number;
      occurred_at: string | Date;
    }>(
      tx,
      sql`select ${memoryEpisodes.leadId} as lead_id, ${memoryEpisodes.action} as action,
                 ${memoryEpisodes.variantId} as variant_id, ${memoryEpisodes.reward} as reward,
                 1 - (${memoryEpisodes.embedding} <=> ${vector}::vector) as similarity,
                 ${memoryEpisodes.occurredAt} as occurred_at
          from ${memoryEpisodes}
          where ${memoryEpisodes.tenantId} = ${tenantId} and ${memoryEpisodes.embedder} = ${embedder.id}
            ${options.agent === undefined ? sql`` : sql`and ${memoryEpisodes.agent} = ${options.agent}`}
          order by ${memoryEpisodes.embedding} <=> ${vector}::vector
          limit ${candidates}`,
    );
  });
  const ranked = rankActions(
    rows.map((r) => ({
      leadId: r.lead_id,
      action: r.action,
      variantId: r.variant_id,
      reward: Number(r.reward),
      similarity: Number(r.similarity),
      occurredAt: new Date(r.occurred_at),
    })),
    { ...options, now: options.now ?? new Date() },
  );
  return { actions: ranked.slice(0, k), episodes: rows.length };
}

/** A lead's episodes, newest first. */
export async function episodesOfLead(
  db: Db,
  tenantId: string,
  leadId: string,
  limit = 50,
): Promise<Episode[]> {
  const rows = await db
    .select()
    .from(memoryEpisodes)
    .where(and(eq(memoryEpisodes.tenantId, tenantId), eq(memoryEpisodes.leadId, leadId)))
    .orderBy(desc(memoryEpisodes.occurredAt), desc(memoryEpisodes.id))
    .limit(limit);
  return rows.map((r) => ({
    id: r.id,
    leadId: r.leadId,
    segment: r.segment,
    agent: r.agent,
    action: r.action,
    variantId: r.variantId,
    campaignId: r.campaignId,
    outcome: r.outcome,
    reward: r.reward,
    context: r.context as unknown as LeadContext,
    occurredAt: r.occurredAt,
  }));
}
