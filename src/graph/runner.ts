import { randomUUID } from "node:crypto";
import type { LeadInput } from "../db/lead-input.js";
import type { MarketingGraph } from "./build.js";
import type { GraphStateUpdate, GraphStateValue } from "./state.js";

export interface RunInput {
  lead?: (LeadInput & { id?: string }) | null;
  message?: string | null;
}

export interface RunResult {
  threadId: string;
  state: GraphStateValue;
}

export interface ThreadRunner {
  run(
    request: { tenantId: string; threadId?: string; input: RunInput },
    options?: { signal?: AbortSignal },
  ): Promise<RunResult>;
  get(tenantId: string, threadId: string): Promise<GraphStateValue | null>;
}

/** Thread ids are chosen by callers; prefixing the tenant keeps one tenant off another's threads. */
const threadKey = (tenantId: string, threadId: string) => `${tenantId}/${threadId}`;

/** Bounds a run: three agents hand off at most a few times, so a long chain means a routing bug. */
const RECURSION_LIMIT = 25;

/**
 * Runs the graph on threads. Runs on one thread are serialized: plain LangGraph lets concurrent runs read
 * the same checkpoint and overwrite each other (lost updates). This lock is per process; the durable
 * threads issue replaces it with a Postgres advisory lock for many replicas.
 */
export function createThreadRunner(graph: MarketingGraph): ThreadRunner {
  const tails = new Map<string, Promise<unknown>>();

  function serialized<T>(threadId: string, work: () => Promise<T>): Promise<T> {
    const previous = tails.get(threadId) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    tails.set(threadId, tail);
    void tail.then(() => {
      if (tails.get(threadId) === tail) tails.delete(threadId);
    });
    return next;
  }

  return {
    run({ tenantId, threadId = randomUUID(), input }, options = {}) {
      const key = threadKey(tenantId, threadId);
      return serialized(key, async () => {
        const update: GraphStateUpdate = {
          lead: input.lead ?? null,
          message: input.message ?? null,
          // A new run starts from fresh agent results; the messages and the handoff log accumulate.
          triageResult: null,
          engagementResult: null,
          optimizationResult: null,
          next: "triage",
          messages: input.message ? [{ role: "user", content: input.message }] : [],
        };
        const state = await graph.invoke(update, {
          configurable: { thread_id: key, tenant_id: tenantId },
          recursionLimit: RECURSION_LIMIT,
          ...(options.signal ? { signal: options.signal } : {}),
        });
        return { threadId, state };
      });
    },
    async get(tenantId, threadId) {
      const snapshot = await graph.getState({ configurable: { thread_id: threadKey(tenantId, threadId) } });
      return snapshot.createdAt ? snapshot.values : null;
    },
  };
}
