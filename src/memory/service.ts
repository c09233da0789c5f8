import type { Item } from "@langchain/langgraph";
import type { Db } from "../db/client.js";
import type { OutcomeEventName } from "../db/schema.js";
import type { AssembledContext } from "./context/assemble.js";
import { buildWorkingSet, type WorkingSetRequest } from "./context/working-set.js";
import { type Embedder, featureHashingEmbedder } from "./embeddings.js";
import {
  type Episode,
  type EpisodeInput,
  episodesOfLead,
  type LeadContext,
  recordEpisodes,
  type SimilarSuccesses,
  type SimilarSuccessesOptions,
  similarSuccesses,
} from "./episodes/episodes.js";
import {
  type AssertResult,
  assertFact,
  type Entity,
  type EntityInput,
  type Fact,
  type FactInput,
  retractFact,
  upsertEntity,
} from "./knowledge/graph.js";
import { type KnowledgeAnswer, type KnowledgeQuery, queryKnowledge } from "./knowledge/retrieval.js";
import { leadFacts } from "./leads.js";
import type { OutcomeInput, OutcomeRecorded, VariantTally } from "./learning/outcome-input.js";
import { recordOutcome } from "./learning/outcomes.js";
import { DEFAULT_SUCCESS_EVENTS } from "./learning/rewards.js";
import { defaultSegmentOf, type SegmentInput, type SegmentRule } from "./learning/segment.js";
import { allVariantStats, variantStatsFor } from "./learning/variant-stats.js";
import { type ForgetReport, type ForgetRequest, forgetPerson, type PersonEraser } from "./privacy/forget.js";
import type { ProfileActor, ProfilePatch } from "./profile/profile.js";
import {
  getProfile,
  type ProfileChangeRecord,
  profileHistory,
  type StoredProfile,
  updateProfile,
} from "./profile/repository.js";
import { type ReembedOptions, type ReembedReport, reembedAll } from "./reembed.js";
import { PgStore, type SearchItem, type StoreSearchOptions } from "./store/pg-store.js";

/**
 * Adaptive memory, assembled: one object per process (it holds no connections: the caller owns the
 * database), and a tenant-bound view per caller. The JSON-RPC methods, the library API and the graph's
 * dependencies all go through this.
 */
export interface MemoryOptions {
  db: Db;
  /** Default: the offline feature-hashing embedder. */
  embedder?: Embedder;
  /** How leads are pooled for variant statistics. Default: source and triage class. */
  segmentOf?: SegmentRule;
  /** Outcome events that count as a variant's success. Default: converted. */
  successEvents?: readonly OutcomeEventName[];
  /**
   * Told of every outcome newly recorded (not of retries), after its transaction commits: how the learning
   * loop reaches capabilities above memory (the triage recalibration). Must not throw.
   */
  onOutcome?: (tenantId: string, recorded: OutcomeRecorded) => void;
  /**
   * Reading an item restarts its TTL (LangGraph's refresh-on-read; default true). False for read-only
   * access (the MCP read tools on a SELECT-only role): a read then changes nothing.
   */
  refreshOnRead?: boolean;
  /** Erasers of other capabilities, run inside `forget`'s transaction. */
  erasers?: readonly PersonEraser[];
  clock?: () => Date;
}

export interface Memory {
  readonly embedder: Embedder;
  readonly segmentOf: SegmentRule;
  forTenant(tenantId: string): TenantMemory;
  /** Re-embeds every stored memory with the current embedder (`migrate --reembed`). */
  reembed(options?: ReembedOptions): Promise<ReembedReport>;
}

export interface TenantMemory {
  readonly tenantId: string;
  /** The LangGraph `BaseStore` for this tenant: pass it to `graph.compile({ store })`. */
  readonly store: PgStore;
  put(
    namespace: string[],
    key: string,
    value: Record<string, unknown>,
    options?: { index?: false | string[]; ttl?: number },
  ): Promise<Item>;
  search(namespace: string[], options?: StoreSearchOptions): Promise<SearchItem[]>;
  profile: {
    get(leadId: string): Promise<StoredProfile>;
    update(
      leadId: string,
      patch: ProfilePatch,
      actor: ProfileActor,
    ): Promise<StoredProfile & { changed: string[] }>;
    history(leadId: string, limit?: number): Promise<ProfileChangeRecord[]>;
  };
  episodes: {
    record(inputs: EpisodeInput[]): Promise<number[]>;
    /** The most successful actions for leads like this one (a lead id, or a context). */
    similarSuccesses(
      lead: string | LeadContext,
      options?: SimilarSuccessesOptions,
    ): Promise<SimilarSuccesses>;
    ofLead(leadId: string, limit?: number): Promise<Episode[]>;
  };
  knowledge: {
    upsertEntity(entity: EntityInput): Promise<Entity>;
    assertFact(fact: FactInput): Promise<AssertResult>;
    retractFact(factId: number, at?: Date): Promise<Fact | null>;
    query(query: KnowledgeQuery): Promise<KnowledgeAnswer>;
  };
  outcomes: {
    record(outcome: OutcomeInput): Promise<OutcomeRecorded>;
  };
  /** Per-segment statistics of the variants: what the optimization agent's bandit reads. */
  variantStats(lead: SegmentInput, variantIds: readonly string[]): Promise<VariantTally[]>;
  allVariantStats(): Promise<VariantTally[]>;
  /** A run's working set within a token budget, retrieved text delimited as untrusted. */
  workingSet(request: WorkingSetRequest): Promise<AssembledContext>;
  /** GDPR erasure of a person's memories everywhere. */
  forget(request: ForgetRequest): Promise<ForgetReport>;
}

export function createMemory(options: MemoryOptions): Memory {
  const { db } = options;
  const embedder = options.embedder ?? featureHashingEmbedder();
  const segmentOf = options.segmentOf ?? defaultSegmentOf;
  const successEvents = options.successEvents ?? DEFAULT_SUCCESS_EVENTS;
  const clock = options.clock ?? (() => new Date());
  const baseStore = new PgStore({
    db,
    tenantId: "default",
    embedder,
    clock,
    ...(options.refreshOnRead === false ? { ttl: { refreshOnRead: false } } : {}),
  });
  // Views are cheap (no connections, no state): made per call rather than cached per tenant forever.
  const forTenant = (tenantId: string): TenantMemory => {
    const store = baseStore.forTenant(tenantId);
    const view: TenantMemory = {
      tenantId,
      store,
      async put(namespace, key, value, putOptions = {}) {
        await store.put(
          namespace,
          key,
          value,
          putOptions.index,
          putOptions.ttl === undefined ? {} : { ttl: putOptions.ttl },
        );
        return (await store.get(namespace, key))!;
      },
      search: (namespace, searchOptions) => store.search(namespace, searchOptions),
      profile: {
        get: (leadId) => getProfile(db, tenantId, leadId),
        update: (leadId, patch, actor) => updateProfile(db, tenantId, leadId, patch, actor, clock()),
        history: (leadId, limit) => profileHistory(db, tenantId, leadId, limit),
      },
      episodes: {
        record: (inputs) => recordEpisodes(db, embedder, tenantId, inputs),
        async similarSuccesses(lead, successOptions = {}) {
          let context: LeadContext;
          if (typeof lead === "string") {
            const facts = await leadFacts(db, tenantId, lead);
            context = { ...facts, segment: segmentOf(facts) }; // contextText reads only the context fields
          } else context = lead;
          return similarSuccesses(db, embedder, tenantId, context, { now: clock(), ...successOptions });
        },
        ofLead: (leadId, limit) => episodesOfLead(db, tenantId, leadId, limit),
      },
      knowledge: {
        upsertEntity: (entity) => upsertEntity(db, tenantId, entity),
        assertFact: (fact) => assertFact(db, embedder, tenantId, fact, clock),
        retractFact: (factId, at) => retractFact(db, tenantId, factId, at, clock),
        query: (query) => queryKnowledge(db, embedder, tenantId, query, clock),
      },
      outcomes: {
        async record(outcome) {
          const recorded = await recordOutcome(db, embedder, tenantId, outcome, {
            segmentOf,
            successEvents,
            clock,
          });
          if (recorded.recorded) options.onOutcome?.(tenantId, recorded);
          return recorded;
        },
      },
      variantStats: (lead, variantIds) => variantStatsFor(db, tenantId, segmentOf(lead), variantIds),
      allVariantStats: () => allVariantStats(db, tenantId),
      workingSet: (request) => buildWorkingSet({ db, embedder, store, segmentOf, clock }, tenantId, request),
      forget: (request) => forgetPerson(db, tenantId, request, options.erasers ?? []),
    };
    return view;
  };

  return {
    embedder,
    segmentOf,
    forTenant,
    reembed: (reembedOptions) => reembedAll(db, embedder, reembedOptions),
  };
}
