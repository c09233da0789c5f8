/**
 * Prometheus metrics of one process: JSON-RPC calls (count and duration by method and outcome), graph runs
 * (by status, duration, model tokens), audit entries dropped, and prom-client's process and Node.js
 * metrics (CPU, memory, event-loop lag, GC). Labels are method names the server declares and fixed status
 * words only: no tenant, lead or caller ever becomes a label (no personal data, bounded cardinality).
 */
import { Counter, collectDefaultMetrics, Gauge, Histogram, Registry } from "prom-client";
import type { CallRecord } from "../rpc/dispatcher.js";

export interface RunRecord {
  status: string;
  durationMs: number;
  llmTokens: number;
}

export interface ServerMetrics {
  readonly registry: Registry;
  /** The dispatcher's `onCall` hook. */
  onCall(record: CallRecord): void;
  /** The runner's `onRunFinished` hook. */
  onRunFinished(record: RunRecord): void;
  /** The exposition: `{ contentType, body }` for a scrape. */
  render(): Promise<{ contentType: string; body: string }>;
}

export interface ServerMetricsOptions {
  /** Audit entries dropped so far (the writer's queue was full while the database was unreachable). */
  auditDropped?: () => number;
  /** Default process and Node.js metrics (default true). */
  processMetrics?: boolean;
}

const RUN_STATUSES = ["success", "interrupted", "error", "cancelled"];
/** A label for calls to methods the server does not declare: their names come from the client. */
const UNKNOWN_METHOD = "(unknown)";

export function createServerMetrics(options: ServerMetricsOptions = {}): ServerMetrics {
  const registry = new Registry();
  if (options.processMetrics !== false) collectDefaultMetrics({ register: registry });
  const calls = new Counter({
    name: "marketing_agents_rpc_calls_total",
    help: "JSON-RPC calls answered, by method and outcome (ok, error, denied).",
    labelNames: ["method", "outcome"] as const,
    registers: [registry],
  });
  const callSeconds = new Histogram({
    name: "marketing_agents_rpc_call_duration_seconds",
    help: "Time from a call's dispatch to its answer, by method.",
    labelNames: ["method"] as const,
    buckets: [0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 30, 120],
    registers: [registry],
  });
  const runs = new Counter({
    name: "marketing_agents_runs_total",
    help: "Graph runs finished, by status.",
    labelNames: ["status"] as const,
    registers: [registry],
  });
  const runSeconds = new Histogram({
    name: "marketing_agents_run_duration_seconds",
    help: "Wall-clock time of a graph run, queueing excluded.",
    buckets: [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120],
    registers: [registry],
  });
  const tokens = new Counter({
    name: "marketing_agents_llm_tokens_total",
    help: "Language-model tokens (prompt and completion) the runs' model calls reported.",
    registers: [registry],
  });
  if (options.auditDropped) {
    const dropped = options.auditDropped;
    new Gauge({
      name: "marketing_agents_audit_entries_dropped",
      help: "Audit entries dropped since start because the database was unreachable for long (should stay 0).",
      registers: [registry],
      collect() {
        this.set(dropped());
      },
    });
  }
  // Series that exist from the start read 0 instead of missing, so rate() and alerts work from the first scrape.
  for (const status of RUN_STATUSES) runs.labels(status).inc(0);

  return {
    registry,
    onCall(record) {
      const method = record.permission === undefined ? UNKNOWN_METHOD : record.method;
      calls.labels(method, record.outcome).inc();
      callSeconds.labels(method).observe(record.durationMs / 1_000);
    },
    onRunFinished(record) {
      runs.labels(RUN_STATUSES.includes(record.status) ? record.status : "other").inc();
      runSeconds.observe(record.durationMs / 1_000);
      if (record.llmTokens > 0) tokens.inc(record.llmTokens);
    },
    async render() {
      return { contentType: registry.contentType, body: await registry.metrics() };
    },
  };
}
