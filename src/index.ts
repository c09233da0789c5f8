/**
 * The library API: what a Node service embedding marketing-agents sees.
 *
 * ```ts
 * const system = await createMarketingSystem({ database: "memory://" });
 * const { threadId, state } = await system.threads.run({ input: { lead: { name: "Ada", email: "ada@example.com" } } });
 * const app = system.httpApp(); // the Hono app, mountable in another server
 * await system.close();
 * ```
 */
import type { EmbeddingsInterface } from "@langchain/core/embeddings";
import type { BaseCheckpointSaver } from "@langchain/langgraph";
import type { ChatOpenAI } from "@langchain/openai";
import type { Transport } from "@modelcontextprotocol/sdk/shared/transport.js";
import { ApprovalPolicy } from "./agents/engagement/approval.js";
import { defaultTriagePolicy, TriagePolicy } from "./agents/triage/classify.js";
import { loadDefaultTriageModel, type TriageModel } from "./agents/triage/model.js";
import { runTriageOffline } from "./agents/triage/node.js";
import type { Recalibration } from "./agents/triage/recalibration.js";
import { type RefitReport, scoringModelRef } from "./agents/triage/recalibration-store.js";
import { createRecalibrator } from "./agents/triage/recalibrator.js";
import { loadActiveTriageModel } from "./agents/triage/registry.js";
import { enqueueUnlessSuppressed } from "./channels/enqueue.js";
import { outboxEraser, suppressionKeeper } from "./channels/erasure.js";
import { suppressionsOf, suppressLead } from "./channels/suppressions.js";
import { type Database, openDatabase } from "./db/client.js";
import { LeadInput } from "./db/lead-input.js";
import { getLead, updateLeadTriage, upsertLead } from "./db/leads.js";
import { migrate } from "./db/migrate.js";
import type { PiiKeyring } from "./db/pii/keyring.js";
import { attachPii, hasPii, piiOf } from "./db/pii/registry.js";
import { resolveKeyring } from "./db/pii/resolve.js";
import { encryptLegacyRows } from "./db/pii/rotate.js";
import { openReaderDatabase } from "./db/reader-role.js";
import type { Lead } from "./db/schema.js";
import { agentReads } from "./graph/agent-reads.js";
import { buildGraph } from "./graph/build.js";
import type { RunEvent } from "./graph/run-events.js";
import { createThreadRunner, type RunLimits, type RunRequest, type RunResult } from "./graph/runner.js";
import { streamRun } from "./graph/stream-run.js";
import { threadEraser } from "./graph/thread-eraser.js";
import { modelLabelOf } from "./llm/provider.js";
import type { Logger } from "./logger.js";
import { type AgentClients, inProcessAgentClients } from "./mcp/agent-client.js";
import { ownTablesConnector } from "./mcp/crm/own-tables.js";
import { createMcpDeps } from "./mcp/deps.js";
import { serveMcp } from "./mcp/server.js";
import { EncryptingSerializer } from "./memory/checkpointer/encrypting-serde.js";
import { DEFAULT_KEEP_LAST, DEFAULT_KEEP_YOUNGER_THAN_MS } from "./memory/checkpointer/retention.js";
import { PostgresCheckpointSaver } from "./memory/checkpointer/saver.js";
import { embedderFromModel } from "./memory/embeddings.js";
import { MemoryError, MemoryErrorCode } from "./memory/errors.js";
import type { OutcomeInput, OutcomeRecorded } from "./memory/learning/outcome-input.js";
import type { SegmentRule } from "./memory/learning/segment.js";
import { createMaintenance, type Maintenance } from "./memory/maintenance.js";
import { emptyProfile } from "./memory/profile/profile.js";
import { createMemory, type TenantMemory } from "./memory/service.js";
import { createServerApp, type ServerApp } from "./server/app.js";
import type { AuthOptions } from "./server/auth/options.js";
import { localOperator, type Principal } from "./server/auth/permissions.js";
import { createServerSecurity } from "./server/auth/security.js";
import type { ConnectionLimits } from "./server/limits/options.js";
import { type Listening, listen, type TlsOptions } from "./server/listen.js";
import { listenMetrics, type MetricsListening } from "./server/metrics/listen.js";
import { createServerMetrics } from "./server/metrics/metrics.js";
import type { AnyMethod } from "./server/rpc/method.js";
import { VERSION } from "./version.js";

export interface MarketingSystemOptions {
  /**
   * `memory://`, `pglite://<dir>` or `postgres://…`; or an opened `Database`, which the caller owns and
   * closes. Default: `pglite://./.data/pglite`.
   */
  database?: string | Database;
  /**
   * Keys that encrypt personal data at rest (see `src/db/pii/`). Default: those the opened `Database`
   * already has; for `memory://`, random keys; otherwise the development key file under `dataDir/keys/`.
   */
  pii?: PiiKeyring;
  /** Where the development PII key file lives when no keys are given (default `./.data`). */
  dataDir?: string;
  /** Apply pending migrations on start (default true). */
  migrate?: boolean;
  /**
   * The triage scoring model; default: the model activated in the database registry (`marketing-agents
   * triage train --activate`), read once at start, else the model that ships with the package.
   */
  triageModel?: TriageModel;
  triagePolicy?: Partial<TriagePolicy>;
  /**
   * The learning loop's hold on triage: after outcomes are recorded, each tenant's map from the scoring
   * model's probability to its observed conversion rates is refitted in the background (see
   * `src/agents/triage/recalibration.ts`) and applied to every later triage. `false` turns it off.
   */
  recalibration?:
    | false
    | {
        /** Wait after an outcome for others before refitting (default 2 000 ms). */
        debounceMs?: number;
        /** Fewer leads with a known result than this: the model's number stands (default 10). */
        minLabelled?: number;
        /** How many outcomes the model's own probability is worth (default 20; see `recalibration.ts`). */
        priorWeight?: number;
        /** Kernel width in log-odds: how alike two leads' scores must be to inform each other (default 0.5). */
        bandwidth?: number;
        /** Days after its latest outcome that an unconverted lead counts as not converted (default 30). */
        windowDays?: number;
      };
  /** Tenant used by the library API (the server takes it from the caller's identity). Default "default". */
  tenantId?: string;
  /** Sizes, rate limit (off by default here), browser origins, WebSocket idle/ping/backpressure. */
  limits?: {
    maxBodyBytes?: number;
    maxBatchSize?: number;
    maxWsMessageBytes?: number;
  } & Partial<ConnectionLimits>;
  /**
   * Bearer-token authentication for `/rpc` and `/ws` (`required: true` turns it on; see docs/security.md).
   * Off by default: every caller is the local operator, so only listen on loopback then.
   */
  auth?: Partial<AuthOptions>;
  logger?: Logger;
  /** The chat model for the agents' LLM paths (see `chatModelFromConfig`); default none: offline mode. */
  llm?: ChatOpenAI | null;
  /**
   * The embeddings model of every memory (see `embeddingsFromConfig`: OpenAI-compatible, 512 dimensions);
   * default none: the offline feature-hashing embedder. Changing it requires `migrate --reembed`.
   */
  embeddings?: EmbeddingsInterface | null;
  /** How leads are pooled for the optimization agent's variant statistics; default source/class. */
  segmentOf?: SegmentRule;
  /** Fault-injection testing only: pause before every agent step. */
  stepDelayMs?: number;
  /** A run whose replica stopped heartbeating this long ago no longer blocks its thread (default 30 s). */
  staleRunAfterMs?: number;
  /** Tokens of working set (profile, conversation, what worked) per engagement model call (default 1 500). */
  contextTokenBudget?: number;
  /** Per-run caps on graph steps, wall-clock time and model tokens (defaults 25, 120 s, 50 000). */
  runLimits?: RunLimits;
  /**
   * Prometheus metrics of calls, runs and the process (`system.metrics`; `serve` serves them on
   * `METRICS_PORT`). Default off in the library: no registry, no per-call cost.
   */
  metrics?: boolean;
  /**
   * A SELECT-only database role the MCP read tools (and so the agents' reads) act as, on a pool of their
   * own: `database` must then be a postgres:// URL whose login is a member of the role (docs/security.md
   * has the SQL). A role that can write to any table is refused at start.
   */
  readerRole?: string;
  /** Thread state storage; default the Postgres checkpointer on `database` (survives restarts, shared by replicas). */
  checkpointer?: BaseCheckpointSaver;
  /** When a person must approve outreach before it is queued: "always" (default), "low-score", "never". */
  approvalPolicy?: ApprovalPolicy;
  /** Extra JSON-RPC methods served beside the built-in ones (declared with `defineMethod`). */
  methods?: AnyMethod[];
  /**
   * The agents' MCP clients, through which they read leads, memory and campaign data. Default: in-process
   * clients of this system's own MCP server. `remoteAgentClients({ url, token })` when the data server runs
   * elsewhere; clients passed here are the caller's to close.
   */
  agentClients?: AgentClients;
  /**
   * Scheduled maintenance: checkpoint retention and the sweep of expired memory items, one replica at a
   * time (a Postgres advisory lock). Off by default in the library (`intervalMs: 0`): call
   * `system.maintenance.runOnce()` from your own scheduler, or give an interval; `serve` runs it hourly.
   */
  maintenance?: {
    /** Time between runs; 0 (default) schedules nothing. */
    intervalMs?: number;
    /** Newest checkpoints kept per thread namespace (default 20; the head and pending interrupts always stay). */
    keepLast?: number;
    /** Checkpoints younger than this many milliseconds are kept (default 7 days). */
    keepYoungerThanMs?: number;
    /** `false`: leave checkpoints alone (only sweep expired memory items). */
    pruneCheckpoints?: boolean;
  };
}

export interface MarketingSystem {
  database: Database;
  threads: {
    /** Runs the agents on a lead or a message; returns the final state with its handoff log. */
    run(request: Omit<RunRequest, "tenantId">): Promise<RunResult>;
    /** Answers the interrupt a thread waits on (e.g. an approval) and continues the run. */
    resume(request: { threadId: string; value: unknown }): Promise<RunResult>;
    /** Runs and yields every event (node updates, handoffs, tokens, interrupts), then the result. */
    stream(
      request: Omit<RunRequest, "tenantId" | "onEvent">,
    ): AsyncIterable<RunEvent | { type: "result"; result: RunResult }>;
  };
  leads: {
    upsert(lead: LeadInput): Promise<Lead>;
    get(id: string): Promise<Lead | null>;
  };
  outcomes: {
    /**
     * Records an outcome of outreach once per idempotency key; the lead's segment statistics, episodes and
     * profile are updated together, and the next run's optimization agent uses them.
     */
    record(outcome: OutcomeInput): Promise<OutcomeRecorded>;
  };
  /** The library tenant's outcome recalibration of triage; null when `options.recalibration` is false. */
  recalibration: {
    current(): Promise<Recalibration | null>;
    /** Refits now (normally outcomes schedule it); `force` refits even with no new outcome. */
    refit(options?: { force?: boolean }): Promise<RefitReport>;
    /** Runs scheduled refits now and waits for them. */
    flush(): Promise<void>;
  } | null;
  /** Adaptive memory of the library's tenant: store, profiles, episodes, knowledge graph, working sets, erasure. */
  memory: TenantMemory;
  /**
   * Checkpoint retention and the sweep of expired memory items, across every tenant: `runOnce()` now, or on
   * the schedule of `options.maintenance.intervalMs` (stopped by `close()`).
   */
  maintenance: Pick<Maintenance, "runOnce" | "intervalMs" | "lastReport">;
  /** The MCP server over this system's data (also served at `/mcp`), and the agents' MCP clients. */
  mcp: {
    /** Serves the MCP tools and resources on a transport (stdio, in-memory) to one caller; default the local operator. */
    serve(transport: Transport, principal?: Principal): Promise<void>;
    /** Per-agent clients with tool allowlists: in-process, or the ones `options.agentClients` gave. */
    agents: AgentClients;
  };
  /** The metrics registry and its endpoint on a port of its own; null unless `options.metrics`. */
  metrics: {
    render(): Promise<{ contentType: string; body: string }>;
    listen(options: { host: string; port: number }): Promise<MetricsListening>;
  } | null;
  /** Where token keys come from (`JWKS https://…`, `local development key …`), or "off". */
  authentication: string;
  /** The Hono app with `/rpc`, `/ws`, `/healthz`, `/readyz`. */
  httpApp(): ServerApp["app"];
  /**
   * Serves the app (HTTP and WebSocket) on a host and port; port 0 picks a free one. `POST /rpc` is served
   * by a node:http fast path in front of the app (docs/adr/0002); `fastRpc: false` leaves it to the app.
   * The fast path writes the answers ready in one event-loop turn together (docs/adr/0004);
   * `coalesceAnswers: false` writes each one as soon as it is ready.
   */
  listen(options?: {
    host?: string;
    port?: number;
    tls?: TlsOptions;
    fastRpc?: boolean;
    coalesceAnswers?: boolean;
  }): Promise<Listening>;
  close(): Promise<void>;
}

/** Advisory lock key ("ma:piimg") so that one replica encrypts legacy rows while the others wait. */
const PII_LEGACY_LOCK_KEY = 0x6d_61_3a_70_69_69_6d_67n;

/** `fn`'s result, or `fallback` when it fails because the lead is not stored (any other failure is thrown). */
async function unlessUnknownLead<T>(fn: () => Promise<T>, fallback: T): Promise<T> {
  try {
    return await fn();
  } catch (error) {
    if (error instanceof MemoryError && error.code === MemoryErrorCode.NotFound) return fallback;
    throw error;
  }
}

export async function createMarketingSystem(options: MarketingSystemOptions = {}): Promise<MarketingSystem> {
  const ownsDatabase = typeof options.database !== "object";
  const url = typeof options.database === "string" ? options.database : "pglite://./.data/pglite";
  const database =
    typeof options.database === "object"
      ? options.database
      : await openDatabase(url, options.pii ? { pii: options.pii } : {});
  try {
    if (options.pii && ownsDatabase === false) attachPii(database.db, options.pii);
    if (!hasPii(database.db)) {
      attachPii(database.db, await resolveKeyring({ DATA_DIR: options.dataDir ?? "./.data" }, url));
    }
    if (options.migrate !== false) await migrate(database);
    // Rows an older version stored in plaintext are encrypted before anything reads them, once.
    await database.withAdvisoryLock(PII_LEGACY_LOCK_KEY, () => encryptLegacyRows(database.db));
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
  let reader: Database | null = null;
  if (options.readerRole !== undefined) {
    try {
      if (typeof options.database !== "string") {
        throw new RangeError(
          "readerRole needs `database` as a postgres:// URL, to open the reader's own pool",
        );
      }
      reader = await openReaderDatabase(options.database, options.readerRole, {
        pii: piiOf(database.db).keyring,
      });
    } catch (error) {
      if (ownsDatabase) await database.close();
      throw error;
    }
  }
  let maintenance: Maintenance;
  try {
    maintenance = createMaintenance({
      database,
      intervalMs: options.maintenance?.intervalMs ?? 0,
      checkpoints:
        options.maintenance?.pruneCheckpoints === false
          ? false
          : {
              keepLast: options.maintenance?.keepLast ?? DEFAULT_KEEP_LAST,
              keepYoungerThan: options.maintenance?.keepYoungerThanMs ?? DEFAULT_KEEP_YOUNGER_THAN_MS,
            },
      ...(options.logger ? { log: options.logger } : {}),
    });
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
  let triageModel: TriageModel;
  try {
    triageModel =
      options.triageModel ?? (await loadActiveTriageModel(database.db)) ?? loadDefaultTriageModel();
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
  let security: Awaited<ReturnType<typeof createServerSecurity>>;
  try {
    security = await createServerSecurity(database, {
      ...(options.auth ? { auth: options.auth } : {}),
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.logger ? { log: options.logger } : {}),
    });
  } catch (error) {
    if (ownsDatabase) await database.close();
    throw error;
  }
  const tenantId = options.tenantId ?? "default";
  const recalibrator =
    options.recalibration === false
      ? null
      : createRecalibrator({
          db: database.db,
          model: triageModel,
          ...options.recalibration,
          ...(options.logger ? { log: options.logger } : {}),
        });
  const policy = TriagePolicy.parse({ ...defaultTriagePolicy, ...options.triagePolicy });
  // Thread state holds the lead and the drafts written to them: sealed with the same keys as the tables.
  const checkpointer =
    options.checkpointer ??
    new PostgresCheckpointSaver(database.db, { serde: new EncryptingSerializer(piiOf(database.db)) });
  const approvalPolicy = ApprovalPolicy.parse(options.approvalPolicy ?? "always");
  const memory = createMemory({
    db: database.db,
    embedder: embedderFromModel(options.embeddings ?? null),
    ...(options.segmentOf ? { segmentOf: options.segmentOf } : {}),
    ...(recalibrator ? { onOutcome: (tenant: string) => recalibrator.noteOutcome(tenant) } : {}),
    // memory.forget also erases the messages queued or sent to the person, and the threads about them:
    // checkpoints, runs and run events; it keeps their suppressions, by the email's blind index only.
    // Only the Postgres checkpointer's tables are searched; a caller's own checkpointer is the caller's.
    erasers: [
      suppressionKeeper(),
      outboxEraser(),
      ...(options.checkpointer
        ? []
        : [threadEraser(options.staleRunAfterMs ? { staleAfterMs: options.staleRunAfterMs } : {})]),
    ],
  });
  // The MCP server's data access: served at /mcp, and in-process to the agents (each with its allowlist),
  // so the agents' reads are authorized and audited where every other client's are.
  const mcp = createMcpDeps({
    db: database.db,
    memory,
    audit: security.audit.writer,
    ...(options.logger
      ? {
          logError: (err: unknown, context: { tool: string; requestId: string }) =>
            options.logger?.error({ err, ...context }, "MCP tool failed"),
        }
      : {}),
    ...(reader
      ? {
          reader: {
            crm: ownTablesConnector(reader.db),
            memory: createMemory({
              db: reader.db,
              embedder: memory.embedder,
              segmentOf: memory.segmentOf,
              refreshOnRead: false,
            }),
          },
        }
      : {}),
    triage: async (tenant, lead) => {
      // The same number a run would give: the tenant's outcome recalibration applies here too.
      const recalibration = await recalibrator?.current(tenant);
      const { result, handoff } = runTriageOffline(
        { lead },
        { model: triageModel, policy, ...(recalibration ? { recalibration } : {}) },
      );
      // Only a message without a lead has no result; MCP always passes a lead.
      if (!result) throw new Error("triage produced no result for a lead");
      return { ...result, handoff };
    },
  });
  const agentClients = options.agentClients ?? inProcessAgentClients(mcp);
  // Every read the agents make goes through their clients (each limited to its allowlist, audited).
  const reads = agentReads(agentClients, { defaultTenantId: tenantId });
  const graph = buildGraph(
    {
      llm: options.llm ?? null,
      ...(options.stepDelayMs ? { stepDelayMs: options.stepDelayMs } : {}),
      approvalPolicy,
      ...(options.contextTokenBudget ? { contextBudget: options.contextTokenBudget } : {}),
      // The outbox refuses a lead suppressed on the message's channel (ChannelError "suppressed").
      deliver: async (tenant, message) => {
        const { id } = await enqueueUnlessSuppressed(database.db, {
          tenantId: tenant,
          idempotencyKey: message.idempotencyKey,
          leadId: message.leadId ?? null,
          channel: message.channel,
          variantId: message.variantId,
          subject: message.subject ?? null,
          body: message.body,
          approvedBy: message.approvedBy ?? null,
        });
        return { outboxId: id };
      },
      triage: { model: triageModel, policy },
      ...(recalibrator ? { recalibrationFor: (tenant: string) => recalibrator.current(tenant) } : {}),
      readLead: reads.readLead,
      engagement: {
        recall: reads.recall,
        suppressions: async (tenant, leadId) =>
          (await suppressionsOf(database.db, tenant, leadId)).map((s) => s.scope),
        suppress: async (tenant, leadId, record) => {
          await suppressLead(database.db, tenant, leadId, record);
        },
        recordOutcome: async (tenant, outcome) => {
          await memory.forTenant(tenant).outcomes.record(outcome);
        },
      },
      campaignFor: reads.campaignFor,
      // The lead's segment's record per variant, from recorded outcomes (memory.outcomes.record).
      variantStats: reads.variantStats,
      profile: {
        // A lead id the caller made up (not stored) has no profile: read as empty, updates dropped.
        read: (tenant, leadId) =>
          unlessUnknownLead(
            async () => (await memory.forTenant(tenant).profile.get(leadId)).block,
            emptyProfile(),
          ),
        update: (tenant, leadId, patch, actor) =>
          unlessUnknownLead(async () => {
            await memory.forTenant(tenant).profile.update(leadId, patch, actor);
          }, undefined),
      },
      onTriaged: async (tenant, leadId, result) => {
        await updateLeadTriage(database.db, tenant, leadId, {
          score: result.score,
          class: result.class,
          stage: result.class === "disqualified" ? "disqualified" : "triaged",
        });
        await memory.forTenant(tenant).profile.update(
          leadId,
          {
            stage: result.class === "disqualified" ? "disqualified" : "triaged",
            facts: { leadClass: result.class },
          },
          "triage",
        );
      },
    },
    checkpointer,
  );
  const metrics = options.metrics
    ? createServerMetrics({ auditDropped: () => security.audit.writer.dropped })
    : null;
  const runner = createThreadRunner({
    graph,
    checkpointer,
    db: database.db,
    ...(metrics ? { onRunFinished: metrics.onRunFinished } : {}),
    ...(options.staleRunAfterMs ? { staleAfterMs: options.staleRunAfterMs } : {}),
    ...(options.runLimits ? { limits: options.runLimits } : {}),
    ...(options.logger
      ? { logError: (err: unknown, ctx: object) => options.logger?.error({ err, ...ctx }, "run failed") }
      : {}),
  });
  const limits = { maxBodyBytes: 1_048_576, maxBatchSize: 50, maxWsMessageBytes: 65_536, ...options.limits };
  let server: ServerApp | undefined;
  const serverApp = () => {
    server ??= createServerApp(
      {
        database,
        runner,
        version: VERSION,
        model: modelLabelOf(options.llm ?? null),
        llm: options.llm ?? null,
        startedAt: new Date(),
        memory,
        triage: { scoringModel: scoringModelRef(triageModel), recalibration: recalibrator },
      },
      {
        maxBodyBytes: limits.maxBodyBytes,
        maxBatchSize: limits.maxBatchSize,
        ...(options.methods ? { methods: options.methods } : {}),
        ...(options.logger ? { log: options.logger } : {}),
        ...(metrics ? { onCall: metrics.onCall } : {}),
        security,
        mcp,
      },
    );
    return server;
  };
  const listening: { close(): Promise<void> }[] = [];
  maintenance.start();

  return {
    database,
    threads: {
      run: (request) => runner.run({ tenantId, ...request }),
      resume: ({ threadId, value }) => runner.run({ tenantId, threadId, resume: { value } }),
      stream: (request) => streamRun((onEvent) => runner.run({ tenantId, ...request, onEvent })),
    },
    leads: {
      upsert: (lead) => upsertLead(database.db, tenantId, LeadInput.parse(lead)),
      get: (id) => getLead(database.db, tenantId, id),
    },
    outcomes: { record: (outcome) => memory.forTenant(tenantId).outcomes.record(outcome) },
    recalibration: recalibrator
      ? {
          current: () => recalibrator.current(tenantId),
          refit: (refitOptions) => recalibrator.refit(tenantId, refitOptions),
          flush: () => recalibrator.flush(),
        }
      : null,
    memory: memory.forTenant(tenantId),
    maintenance: {
      runOnce: () => maintenance.runOnce(),
      intervalMs: maintenance.intervalMs,
      get lastReport() {
        return maintenance.lastReport;
      },
    },
    mcp: {
      serve: async (transport, principal = localOperator) => {
        await serveMcp(mcp, principal, transport);
      },
      agents: agentClients,
    },
    metrics: metrics
      ? {
          render: () => metrics.render(),
          async listen(where) {
            const l = await listenMetrics(metrics, where);
            listening.push(l);
            return l;
          },
        }
      : null,
    authentication: security.authentication,
    httpApp: () => serverApp().app,
    async listen({ host = "127.0.0.1", port = 0, tls, fastRpc, coalesceAnswers } = {}) {
      const l = await listen(serverApp(), {
        host,
        port,
        ...(tls ? { tls } : {}),
        ...(fastRpc === undefined ? {} : { fastRpc }),
        ...(coalesceAnswers === undefined ? {} : { coalesceAnswers }),
        maxWsMessageBytes: limits.maxWsMessageBytes,
        wsPingIntervalMs: security.webSocket.pingIntervalMs,
      });
      listening.push(l);
      return l;
    },
    async close() {
      // A maintenance run in progress finishes before the database goes away.
      await maintenance.stop();
      await recalibrator?.close();
      if (!options.agentClients) await agentClients.close();
      await Promise.all(listening.map((l) => l.close()));
      // Audit entries still queued are written before the database goes away.
      await security.close();
      await reader?.close();
      if (ownsDatabase) await database.close();
    },
  };
}

export type { Database } from "./db/client.js";
export type { LeadInput } from "./db/lead-input.js";
export {
  ephemeralKeyring,
  generateKeyFile,
  keyringFromConfig,
  keyringFromFile,
  type PiiKeyFile,
  type PiiKeyring,
} from "./db/pii/keyring.js";
export type { RunEvent } from "./graph/run-events.js";
export type { RunInput, RunLimits, RunResult } from "./graph/runner.js";
export type { GraphStateValue, Handoff } from "./graph/state.js";
export {
  type AgentClients,
  type AgentName,
  type RemoteAgentClientsOptions,
  remoteAgentClients,
} from "./mcp/agent-client.js";
export { type Embedder, embedderOf, FeatureHashingEmbeddings } from "./memory/embeddings.js";
export type { OutcomeInput, OutcomeRecorded, VariantTally } from "./memory/learning/outcome-input.js";
export type { SegmentInput, SegmentRule } from "./memory/learning/segment.js";
export type { MaintenanceReport } from "./memory/maintenance.js";
export type { TenantMemory } from "./memory/service.js";
export type { AuthOptions } from "./server/auth/options.js";
export type { Principal, Role } from "./server/auth/permissions.js";
export type { ConnectionLimits } from "./server/limits/options.js";
export type { Listening, TlsOptions } from "./server/listen.js";
export { RpcCode, RpcError } from "./server/rpc/errors.js";
export { defineMethod } from "./server/rpc/method.js";
