import { rocAuc } from "../../src/agents/triage/metrics.js";
import type { TriageModel } from "../../src/agents/triage/model.js";
import { scoreLead } from "../../src/agents/triage/model.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { createMarketingSystem, type MarketingSystem } from "../../src/index.js";
import type { SuiteProgress } from "../harness/progress.js";
import { percentile } from "./triage-curves.js";

/**
 * Leads through the real graph (`system.threads.run`, one thread per lead, on the shared `memory://`
 * database), one after another: throughput is what a single process sustains, latency is per run. The
 * same leads are scored directly with the model, so the report can say the graph reproduces the model's
 * number exactly rather than assume it.
 */

export interface GraphRunStats {
  leads: number;
  seconds: number;
  leadsPerSecond: number;
  p50Ms: number;
  p95Ms: number;
  /** AUC of the graph's triage scores against the leads' outcomes; null with one class only. */
  auc: number | null;
  /** Leads whose graph score differs from `scoreLead` on the same model. */
  scoreMismatches: number;
  classes: Record<string, number>;
  paths: Record<string, number>;
}

/** Runs before timing starts, so JIT compilation and first-use allocation are not billed to the sample. */
const WARM_UP_RUNS = 10;

export async function runLeadsThroughGraph(
  base: MarketingSystem,
  model: TriageModel,
  leads: readonly LeadInput[],
  labels: readonly number[],
  progress: SuiteProgress,
): Promise<GraphRunStats> {
  // The base system owns the database; this one only borrows it (and so does not close it).
  const system = await createMarketingSystem({ database: base.database, migrate: false, triageModel: model });
  try {
    for (const lead of leads.slice(0, WARM_UP_RUNS)) await system.threads.run({ input: { lead } });
    const latencies: number[] = [];
    const scores: number[] = [];
    const classes: Record<string, number> = {};
    const paths: Record<string, number> = {};
    let scoreMismatches = 0;
    const started = performance.now();
    for (const lead of leads) {
      const t0 = performance.now();
      const { state } = await system.threads.run({ input: { lead } });
      latencies.push(performance.now() - t0);
      const score = state.triageResult?.score ?? Number.NaN;
      scores.push(score);
      if (Math.abs(score - scoreLead(model, lead).probability) > 1e-12 || Number.isNaN(score))
        scoreMismatches++;
      const leadClass = state.triageResult?.class ?? "none";
      classes[leadClass] = (classes[leadClass] ?? 0) + 1;
      const path = state.handoffs.map((h) => `${h.from}→${h.to}`).join(", ");
      paths[path] = (paths[path] ?? 0) + 1;
      progress.advance(1);
    }
    const seconds = (performance.now() - started) / 1000;
    const bothClasses = labels.includes(0) && labels.includes(1);
    return {
      leads: leads.length,
      seconds,
      leadsPerSecond: leads.length / seconds,
      p50Ms: percentile(latencies, 50),
      p95Ms: percentile(latencies, 95),
      auc: bothClasses && scores.every(Number.isFinite) ? rocAuc(scores, labels) : null,
      scoreMismatches,
      classes,
      paths,
    };
  } finally {
    await system.close();
  }
}
