import { runOptimization, type VariantStats } from "../../src/agents/optimization/node.js";
import { deriveSeed } from "../../src/agents/optimization/random.js";
import type { Db } from "../../src/db/client.js";
import { upsertLead } from "../../src/db/leads.js";
import type { TenantMemory } from "../../src/memory/service.js";
import { percentile } from "./triage-curves.js";

/**
 * The adaptive loop, replayed in time order: round t is a new lead; the optimization agent's own
 * `runOptimization` picks one of the variants from the statistics the memory layer serves
 * (`variantStats`); the round's row says whether that variant converts; the outcome goes back through
 * `outcomes.record` ("sent", then "converted" on a click). Quality is read per window of rounds, and
 * against the agent without memory (what the graph does today: every variant at its uniform prior).
 */

export interface AdaptiveReplay {
  variants: string[];
  /** 1 where the chosen variant converted, per round. */
  withMemory: Uint8Array;
  /** Same rounds, same seeds, statistics withheld: the prior-only agent. */
  priorOnly: Uint8Array;
  /** The variant chosen per round with memory. */
  choices: number[];
  /** Milliseconds per `outcomes.record` call. */
  writeMs: number[];
  /** Milliseconds per `variantStats` read. */
  readMs: number[];
}

/** A stable seed per round, so both agents draw alike where their evidence is alike. */
const seedOf = (round: number) => deriveSeed(20_240_601, round);

function choose(variants: readonly string[], stats: VariantStats[], round: number): number {
  const { result } = runOptimization({ variantIds: [...variants], stats, seed: seedOf(round) });
  return variants.indexOf(result.selected!.variantId);
}

export async function replayWithMemory(
  db: Db,
  memory: TenantMemory,
  segmentLead: { source: string; class: string | null },
  rows: readonly Uint8Array[],
  variants: readonly string[],
  onRound: () => void = () => {},
): Promise<AdaptiveReplay> {
  const replay: AdaptiveReplay = {
    variants: [...variants],
    withMemory: new Uint8Array(rows.length),
    priorOnly: new Uint8Array(rows.length),
    choices: [],
    writeMs: [],
    readMs: [],
  };
  for (const [t, row] of rows.entries()) {
    const lead = await upsertLead(db, memory.tenantId, {
      name: `Replay lead ${t + 1}`,
      email: `replay-${t + 1}@example.com`,
      source: segmentLead.source,
    });
    let started = performance.now();
    const tallies = await memory.variantStats(segmentLead, variants);
    replay.readMs.push(performance.now() - started);
    const stats = tallies.map((s) => ({ variantId: s.variantId, successes: s.successes, trials: s.trials }));
    const arm = choose(variants, stats, t);
    replay.choices.push(arm);
    replay.withMemory[t] = row[arm]!;
    replay.priorOnly[t] = row[choose(variants, [], t)]!;
    const events = row[arm] === 1 ? (["sent", "converted"] as const) : (["sent"] as const);
    for (const event of events) {
      started = performance.now();
      await memory.outcomes.record({
        idempotencyKey: `adaptive-${t + 1}-${event}`,
        leadId: lead.id,
        event,
        variantId: variants[arm]!,
      });
      replay.writeMs.push(performance.now() - started);
    }
    onRound();
  }
  return replay;
}

/** Conversion rate per window of `size` rounds (the last window may be shorter). Pure. */
export function windowRates(outcomes: ArrayLike<number>, size: number): { round: number; rate: number }[] {
  const windows: { round: number; rate: number }[] = [];
  for (let start = 0; start < outcomes.length; start += size) {
    const end = Math.min(outcomes.length, start + size);
    let sum = 0;
    for (let i = start; i < end; i++) sum += outcomes[i]!;
    windows.push({ round: end, rate: sum / (end - start) });
  }
  return windows;
}

export const latency = (ms: readonly number[]) => ({ p50: percentile(ms, 50), p95: percentile(ms, 95) });
