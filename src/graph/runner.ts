import { randomUUID } from "node:crypto";
import { EventEmitter } from "node:events";
import { BaseCallbackHandler } from "@langchain/core/callbacks/base";
import type { LLMResult } from "@langchain/core/outputs";
import { type BaseCheckpointSaver, Command } from "@langchain/langgraph";
import type { Db } from "../db/client.js";
import type { LeadInput } from "../db/lead-input.js";
import { addTokens, tokensUsedOn, utcDay } from "../db/llm-usage.js";
import {
  appendRunEvent,
  createRun,
  deleteThreadRuns,
  finishRun,
  getRun,
  heartbeat,
  type Multitask,
  requestCancel,
  runEventsAfter,
  tryStartRun,
} from "../db/runs.js";
import type { Run, RunStatus } from "../db/runs.schema.js";
import type { MarketingGraph } from "./build.js";
import { emitChunk, type RunEvent, type RunEventType } from "./run-events.js";
import type { GraphStateUpdate, GraphStateValue } from "./state.js";

export interface RunInput {
  lead?: (LeadInput & { id?: string }) | null;
  message?: string | null;
}

export interface RunRequest {
  tenantId: string;
  threadId?: string;
  /**
   * New input for the thread, or `resume` to answer the interrupt it waits on. With neither, the thread
   * continues from its last checkpoint (a run cut short by a crash).
   */
  input?: RunInput;
  resume?: { value: unknown };
  multitask?: Multitask;
  /** Receives every event of the run as it happens (streaming transports). */
  onEvent?: (event: RunEvent) => void;
  signal?: AbortSignal;
}

export interface RunResult {
  threadId: string;
  runId: string;
  status: RunStatus;
  state: GraphStateValue;
  /** What the run waits on when `status` is "interrupted" (e.g. an approval request). */
  interrupts: { id: string | null; value: unknown }[];
  error?: string;
}

export class RunnerError extends Error {
  constructor(
    readonly code: "not_interrupted" | "run_not_found" | "queue_timeout" | "run_failed",
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "RunnerError";
  }
}

export interface RunnerOptions {
  graph: MarketingGraph;
  checkpointer: BaseCheckpointSaver;
  db: Db;
  heartbeatMs?: number;
  /** A run whose replica stopped heartbeating this long ago no longer blocks its thread. */
  staleAfterMs?: number;
  /** Longest an enqueued run waits for its turn. */
  maxQueueWaitMs?: number;
  /** Receives failures inside runs (with ids), for the server log. */
  logError?: (error: unknown, context: { runId: string; threadId: string }) => void;
  /** Per-run caps; a run over one ends with status "error" and says which cap it hit. */
  limits?: RunLimits;
  /** Told of every finished run (metrics): its status, wall-clock time and the model tokens it used. */
  onRunFinished?: (record: { status: RunStatus; durationMs: number; llmTokens: number }) => void;
}

export interface RunLimits {
  /** Graph steps (LangGraph's recursion limit). Default 25. */
  maxSteps?: number;
  /** Wall-clock time of one run. Default 120 s. */
  maxRunMs?: number;
  /** Language-model tokens (prompt + completion) one run may use; 0 = no cap. Default 50 000. */
  maxLlmTokens?: number;
  /**
   * Model tokens all of one tenant's runs may use per UTC day, across replicas; 0 (default) = no budget. A
   * run that would start with the budget spent ends at once with status "error" saying so; a run that
   * spends the rest is stopped like one over its own cap. Concurrent runs check the same remainder, so a
   * day can overshoot by at most (concurrent runs − 1) × the per-run cap.
   */
  tenantDailyLlmTokens?: number;
}

/** Bounds a run: three agents hand off a few times at most, so a long chain means a routing bug. */
const RECURSION_LIMIT = 25;
const DEFAULT_MAX_RUN_MS = 120_000;
const DEFAULT_MAX_LLM_TOKENS = 50_000;

/** A run refused before its first step: its tenant's daily model-token budget is spent. */
class TenantBudgetSpent extends Error {
  override name = "TenantBudgetSpent";
}

/** Why a run was stopped by one of its caps (the abort reason, told apart from a cancel). */
export class RunLimitExceeded extends Error {
  constructor(
    readonly limit: "time" | "tokens",
    message: string,
  ) {
    super(message);
    this.name = "RunLimitExceeded";
  }
}

/** A token cap of a run: its own, or what is left of its tenant's daily budget. */
interface TokenCap {
  max: number;
  /** The abort message when `used` passes `max`. */
  message(used: number): string;
}

/**
 * Counts the tokens the language model reports for each call of one run (callbacks reach model calls
 * inside nodes through LangChain's async-local config) and aborts the run once they pass a cap.
 */
class TokenBudget extends BaseCallbackHandler {
  name = "run-token-budget";
  used = 0;
  constructor(
    private readonly caps: readonly TokenCap[],
    private readonly controller: AbortController,
  ) {
    super();
  }
  override handleLLMEnd(output: LLMResult): void {
    this.used += tokensOf(output);
    if (this.controller.signal.aborted) return;
    const passed = this.caps.find((cap) => cap.max > 0 && this.used > cap.max);
    if (passed) this.controller.abort(new RunLimitExceeded("tokens", passed.message(this.used)));
  }
}

function tokensOf(output: LLMResult): number {
  const reported = (output.llmOutput as { tokenUsage?: { totalTokens?: number } } | undefined)?.tokenUsage;
  if (typeof reported?.totalTokens === "number") return reported.totalTokens;
  let total = 0;
  for (const generation of output.generations.flat()) {
    const usage = (generation as { message?: { usage_metadata?: { total_tokens?: number } } }).message
      ?.usage_metadata;
    total += usage?.total_tokens ?? 0;
  }
  return total;
}

/** Thread ids are chosen by callers; prefixing the tenant keeps one tenant off another's threads. */
export const threadKey = (tenantId: string, threadId: string) => `${tenantId}/${threadId}`;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Executes graph runs on threads. One run per thread at a time across every replica (the database's
 * partial unique index on running runs); `reject` fails fast, `enqueue` waits its turn in arrival order.
 * Every event is stored with a sequence number so any replica can replay a run's stream.
 */
export function createThreadRunner(options: RunnerOptions) {
  const { graph, db } = options;
  const heartbeatMs = options.heartbeatMs ?? 1_000;
  const maxQueueWaitMs = options.maxQueueWaitMs ?? 300_000;
  const wakeups = new EventEmitter().setMaxListeners(0);
  const local = new Map<string, AbortController>();

  const configOf = (tenantId: string, threadId: string) => ({
    configurable: { thread_id: threadKey(tenantId, threadId), tenant_id: tenantId },
  });

  async function waitForTurn(run: Run, signal?: AbortSignal): Promise<void> {
    const deadline = Date.now() + maxQueueWaitMs;
    const key = threadKey(run.tenantId, run.threadId);
    while (!(await tryStartRun(db, run, options.staleAfterMs))) {
      if (signal?.aborted) throw signal.reason;
      const current = await getRun(db, run.tenantId, run.id);
      // Gone: its thread was deleted or erased (memory.forget) while it waited.
      if (!current) throw new RunnerError("run_failed", "the thread was deleted while the run was queued");
      if (current.cancelRequested) throw new RunnerError("run_failed", "cancelled while queued");
      if (Date.now() > deadline)
        throw new RunnerError("queue_timeout", `waited ${maxQueueWaitMs} ms for the thread`);
      // Local finishes wake us at once; runs on other replicas are noticed by polling.
      await new Promise<void>((resolve) => {
        const done = () => {
          clearTimeout(timer);
          wakeups.off(key, done);
          resolve();
        };
        const timer = setTimeout(done, 100);
        wakeups.once(key, done);
      });
    }
  }

  async function snapshotOf(tenantId: string, threadId: string) {
    const snapshot = await graph.getState(configOf(tenantId, threadId));
    const interrupts = snapshot.tasks.flatMap((t) =>
      (t.interrupts ?? []).map((i) => ({ id: (i as { id?: string }).id ?? null, value: i.value })),
    );
    return { snapshot, interrupts };
  }

  async function execute(run: Run, request: RunRequest): Promise<RunResult> {
    const { tenantId, threadId } = run;
    let seq = 0;
    const emit = async (type: RunEventType, data: unknown) => {
      seq += 1;
      await appendRunEvent(db, { runId: run.id, seq, type, data });
      request.onEvent?.({ runId: run.id, threadId, seq, type, data });
    };
    const controller = new AbortController();
    local.set(run.id, controller);
    const maxRunMs = options.limits?.maxRunMs ?? DEFAULT_MAX_RUN_MS;
    const deadline = setTimeout(
      () =>
        controller.abort(
          new RunLimitExceeded("time", `run stopped: it passed its time limit of ${maxRunMs} ms`),
        ),
      maxRunMs,
    );
    const runCap = options.limits?.maxLlmTokens ?? DEFAULT_MAX_LLM_TOKENS;
    const caps: TokenCap[] = [
      {
        max: runCap,
        message: (used) => `run stopped: it used ${used} model tokens, over its cap of ${runCap}`,
      },
    ];
    const tenantBudget = options.limits?.tenantDailyLlmTokens ?? 0;
    const day = utcDay(new Date());
    const budget = new TokenBudget(caps, controller);
    const started = Date.now();
    const onOuterAbort = () => controller.abort(request.signal?.reason);
    request.signal?.addEventListener("abort", onOuterAbort, { once: true });
    const beat = setInterval(() => {
      heartbeat(db, run.id).then(
        ({ cancelRequested }) => cancelRequested && controller.abort(new Error("cancelled")),
        () => undefined,
      );
    }, heartbeatMs);
    let status: RunStatus = "success";
    let errorMessage: string | undefined;
    try {
      await emit("start", { multitask: run.multitask, resume: request.resume !== undefined });
      if (tenantBudget > 0) {
        const spent = await tokensUsedOn(db, tenantId, day);
        const left = tenantBudget - spent;
        if (left <= 0) {
          throw new TenantBudgetSpent(
            `run not started: tenant "${tenantId}" has used ${spent} of its ${tenantBudget} model tokens for ${day} (UTC); the budget renews at 00:00 UTC`,
          );
        }
        caps.push({
          max: left,
          message: (used) =>
            `run stopped: tenant "${tenantId}" reached its daily budget of ${tenantBudget} model tokens (${spent} used before this run, ${used} by it)`,
        });
      }
      const input: Parameters<MarketingGraph["stream"]>[0] = request.resume
        ? new Command({ resume: request.resume.value })
        : request.input
          ? freshInput(request.input)
          : null;
      const stream = await graph.stream(input, {
        ...configOf(tenantId, threadId),
        streamMode: ["updates", "messages", "custom"],
        recursionLimit: options.limits?.maxSteps ?? RECURSION_LIMIT,
        signal: controller.signal,
        callbacks: [budget],
      });
      for await (const [mode, chunk] of stream as AsyncIterable<[string, unknown]>) {
        await emitChunk(mode, chunk, emit);
      }
    } catch (error) {
      const reason: unknown = controller.signal.reason;
      if (error instanceof TenantBudgetSpent) {
        status = "error";
        errorMessage = error.message;
      } else if (controller.signal.aborted && reason instanceof RunLimitExceeded) {
        status = "error";
        errorMessage = reason.message;
      } else if (controller.signal.aborted) {
        status = "cancelled";
        errorMessage = "cancelled";
      } else {
        status = "error";
        errorMessage = error instanceof Error ? error.message : String(error);
        options.logError?.(error, { runId: run.id, threadId });
      }
    } finally {
      clearTimeout(deadline);
      clearInterval(beat);
      // Counted whatever the run's end: a failed or cancelled run's model calls were paid for too.
      await addTokens(db, tenantId, day, budget.used).catch((error: unknown) =>
        options.logError?.(error, { runId: run.id, threadId }),
      );
      request.signal?.removeEventListener("abort", onOuterAbort);
      local.delete(run.id);
    }
    const { snapshot, interrupts } = await snapshotOf(tenantId, threadId);
    if (status === "success" && interrupts.length > 0) status = "interrupted";
    try {
      await emit(status === "error" ? "error" : "end", {
        status,
        ...(errorMessage ? { error: errorMessage } : {}),
      });
    } finally {
      await finishRun(db, run.id, status, errorMessage);
      wakeups.emit(threadKey(tenantId, threadId));
      options.onRunFinished?.({ status, durationMs: Date.now() - started, llmTokens: budget.used });
    }
    return {
      threadId,
      runId: run.id,
      status,
      state: snapshot.values as GraphStateValue,
      interrupts,
      ...(errorMessage ? { error: errorMessage } : {}),
    };
  }

  return {
    async run(request: RunRequest): Promise<RunResult> {
      const threadId = request.threadId ?? randomUUID();
      if (request.resume) {
        const { interrupts } = await snapshotOf(request.tenantId, threadId);
        if (interrupts.length === 0) {
          throw new RunnerError("not_interrupted", `thread ${threadId} is not waiting for input`);
        }
      } else if (!request.input) {
        const { snapshot, interrupts } = await snapshotOf(request.tenantId, threadId);
        if (interrupts.length > 0) {
          throw new RunnerError(
            "not_interrupted",
            `thread ${threadId} waits for an answer: resume it with a value`,
          );
        }
        if (snapshot.next.length === 0) {
          throw new RunnerError("not_interrupted", `thread ${threadId} has nothing to continue`);
        }
      }
      const multitask = request.multitask ?? "reject";
      const run = await createRun(
        db,
        { tenantId: request.tenantId, threadId, multitask },
        options.staleAfterMs,
      );
      if (multitask === "enqueue") {
        try {
          await waitForTurn(run, request.signal);
        } catch (error) {
          await finishRun(db, run.id, "cancelled", error instanceof Error ? error.message : String(error));
          throw error;
        }
      }
      return execute(run, { ...request, threadId });
    },

    /**
     * Replays a run's events after `after` and follows it until it ends, from any replica: the events
     * are read from the database, so the run may be executing elsewhere.
     */
    async join(request: {
      tenantId: string;
      runId: string;
      after?: number;
      onEvent?: (event: RunEvent) => void;
    }) {
      let after = request.after ?? 0;
      for (;;) {
        const run = await getRun(db, request.tenantId, request.runId);
        if (!run) throw new RunnerError("run_not_found", `run ${request.runId} not found`);
        const events = await runEventsAfter(db, run.id, after);
        for (const e of events) {
          request.onEvent?.({
            runId: run.id,
            threadId: run.threadId,
            seq: e.seq,
            type: e.type as RunEventType,
            data: e.data,
          });
          after = e.seq;
        }
        const finished = !["pending", "running"].includes(run.status);
        if (finished && events.length === 0) {
          const { snapshot, interrupts } = await snapshotOf(request.tenantId, run.threadId);
          return {
            threadId: run.threadId,
            runId: run.id,
            status: run.status,
            state: snapshot.values as GraphStateValue,
            interrupts,
            ...(run.error ? { error: run.error } : {}),
          } satisfies RunResult;
        }
        if (events.length === 0) await sleep(50);
      }
    },

    async get(tenantId: string, threadId: string, checkpointId?: string) {
      const config = configOf(tenantId, threadId);
      const snapshot = await graph.getState(
        checkpointId ? { configurable: { ...config.configurable, checkpoint_id: checkpointId } } : config,
      );
      if (!snapshot.createdAt) return null;
      return {
        checkpointId: (snapshot.config.configurable?.checkpoint_id as string | undefined) ?? null,
        createdAt: snapshot.createdAt,
        next: [...snapshot.next],
        values: snapshot.values as GraphStateValue,
      };
    },

    async history(tenantId: string, threadId: string, page: { limit: number; before?: string }) {
      const config = configOf(tenantId, threadId);
      const items = [];
      for await (const snapshot of graph.getStateHistory(config, {
        limit: page.limit,
        ...(page.before
          ? { before: { configurable: { ...config.configurable, checkpoint_id: page.before } } }
          : {}),
      })) {
        const values = snapshot.values as Partial<GraphStateValue>;
        items.push({
          checkpointId: snapshot.config.configurable?.checkpoint_id as string,
          parentCheckpointId:
            (snapshot.parentConfig?.configurable?.checkpoint_id as string | undefined) ?? null,
          createdAt: snapshot.createdAt ?? null,
          step: (snapshot.metadata?.step as number | undefined) ?? null,
          source: (snapshot.metadata?.source as string | undefined) ?? null,
          next: [...snapshot.next],
          handoffs: values.handoffs?.length ?? 0,
        });
      }
      return { items, nextBefore: items.length === page.limit ? (items.at(-1)?.checkpointId ?? null) : null };
    },

    async cancel(tenantId: string, threadId: string, runId?: string) {
      const ids = await requestCancel(db, tenantId, threadId, runId);
      for (const id of ids) local.get(id)?.abort(new Error("cancelled"));
      return ids;
    },

    async delete(tenantId: string, threadId: string) {
      await this.cancel(tenantId, threadId);
      await options.checkpointer.deleteThread(threadKey(tenantId, threadId));
      return deleteThreadRuns(db, tenantId, threadId);
    },
  };
}

export type ThreadRunner = ReturnType<typeof createThreadRunner>;

/** A new run starts from fresh agent results; messages and the handoff log accumulate on the thread. */
function freshInput(input: RunInput): GraphStateUpdate {
  return {
    lead: input.lead ?? null,
    message: input.message ?? null,
    triageResult: null,
    engagementResult: null,
    optimizationResult: null,
    delivery: null,
    next: "triage",
    messages: input.message ? [{ role: "user", content: input.message }] : [],
  };
}
