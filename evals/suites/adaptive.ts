import { readFile } from "node:fs/promises";
import { createMemory } from "../../src/memory/service.js";
import { windowRateSpec } from "../charts/specs.js";
import { formatDuration } from "../harness/format.js";
import { metric } from "../harness/report.js";
import { parseAdsCsv } from "../optimization/replay.js";
import { latency, replayWithMemory, windowRates } from "./adaptive-replay.js";
import type { Suite, SuiteContext, SuiteOutcome } from "./suite.js";

/**
 * Adaptive loop: the first rounds of the ads-click data replayed through the memory layer
 * (src/memory: `outcomes.record` → per-segment `variantStats`) and the optimization agent, against the same
 * agent without memory. Every round costs a lead upsert, a statistics read and one or two outcome writes on
 * the database, so the replay is shorter than the ads suite's 10,000 rounds.
 */

const ROUNDS = { full: 1_000, ci: 300 } as const;
const WINDOW = { full: 100, ci: 50 } as const;
const TENANT = "eval-adaptive";
/** Every replayed lead looks alike to the segment rule, so all outcomes pool in one segment. */
const SEGMENT_LEAD = { source: "Google", class: null };

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;
const sum = (xs: ArrayLike<number>) => Array.from(xs).reduce((a, b) => a + b, 0);

async function runAdaptiveSuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const { arms, rows: allRows } = parseAdsCsv(await readFile(ctx.data.files.ads!, "utf8"));
  const rows = allRows.slice(0, ROUNDS[ctx.profile]);
  const variants = arms.map((a) => a.toLowerCase().replace(/\s+/g, "-"));
  ctx.progress.setTotal(rows.length + 1);
  ctx.progress.advance(1, "replaying outcomes through memory");
  const system = await ctx.system();
  const layer = createMemory({ db: system.database.db });
  const memory = layer.forTenant(TENANT);
  const segment = layer.segmentOf(SEGMENT_LEAD);
  const replay = await replayWithMemory(system.database.db, memory, SEGMENT_LEAD, rows, variants, () =>
    ctx.progress.advance(1),
  );

  const window = WINDOW[ctx.profile];
  const adaptive = windowRates(replay.withMemory, window);
  const prior = windowRates(replay.priorOnly, window);
  const totals = arms.map((_, a) => rows.reduce((s, r) => s + r[a]!, 0));
  const best = totals.indexOf(Math.max(...totals));
  const bestRates = windowRates(
    rows.map((r) => r[best]!),
    window,
  );
  const stored = await memory.allVariantStats();
  const storedTrials = stored.reduce((s, v) => s + v.trials, 0);
  const storedSuccesses = stored.reduce((s, v) => s + v.successes, 0);
  const clicks = sum(replay.withMemory);
  const mismatches = Math.abs(storedTrials - rows.length) + Math.abs(storedSuccesses - clicks);
  const similar = await memory.episodes.similarSuccesses(
    { segment, source: SEGMENT_LEAD.source },
    { k: 1, agent: "optimization" },
  );
  const topVariant = similar.actions[0]?.variantId ?? null;
  const mostConverting = [...stored].sort((a, b) => b.successes - a.successes)[0]?.variantId ?? null;
  const write = latency(replay.writeMs);
  const read = latency(replay.readMs);
  const first = adaptive[0]!.rate;
  const last = adaptive.at(-1)!.rate;

  return {
    summary: `conversion ${pct(first)} in the first ${window} rounds → ${pct(last)} in the last ${window} with memory (prior-only agent ${pct(sum(replay.priorOnly) / rows.length)} overall; best ad ${pct(totals[best]! / rows.length)})`,
    metrics: [
      metric({
        id: "rate.first-window",
        label: "conversion, first window (with memory)",
        value: first,
        format: "percent",
        better: "higher",
      }),
      metric({
        id: "rate.last-window",
        label: "conversion, last window (with memory)",
        value: last,
        format: "percent",
        better: "higher",
      }),
      metric({
        id: "rate.with-memory",
        label: "conversion over the replay, with memory",
        value: clicks / rows.length,
        format: "percent",
        better: "higher",
      }),
      metric({
        id: "rate.prior-only",
        label: "conversion over the replay, prior only",
        value: sum(replay.priorOnly) / rows.length,
        format: "percent",
        better: "none",
      }),
      metric({
        id: "learning-gain",
        label: "last window − prior-only rate (points)",
        value: last - sum(replay.priorOnly) / rows.length,
        format: "percent",
        better: "higher",
        threshold: { op: ">", value: 0 },
      }),
      metric({
        id: "stats-mismatch",
        label: "memory tallies ≠ replayed outcomes",
        value: mismatches,
        format: "integer",
        better: "lower",
        threshold: { op: "<=", value: 0 },
      }),
      metric({
        id: "episodes.top-is-best",
        label: "episodic top action is the most-converting variant",
        value: topVariant !== null && topVariant === mostConverting ? 1 : 0,
        format: "integer",
        better: "higher",
      }),
      metric({
        id: "write.p50-ms",
        label: "outcomes.record p50",
        value: write.p50,
        format: "ms",
        better: "lower",
      }),
      metric({
        id: "write.p95-ms",
        label: "outcomes.record p95",
        value: write.p95,
        format: "ms",
        better: "lower",
      }),
      metric({
        id: "read.p95-ms",
        label: "variantStats p95",
        value: read.p95,
        format: "ms",
        better: "lower",
      }),
    ],
    sections: [
      {
        kind: "text",
        text:
          `${rows.length.toLocaleString("en-US")} rounds of the ads-click data in time order, ${variants.length} variants, one new lead per round ` +
          `(source Google, so one segment). With memory, the optimization agent chooses from \`variantStats\` and every outcome goes ` +
          `back through \`outcomes.record\`; prior only, it chooses with no statistics (what the graph does while its \`variantStats\` ` +
          `dependency returns nothing). Same seeds per round for both.`,
      },
      {
        kind: "chart",
        title: "Conversion per window",
        file: "adaptive-windows.svg",
        alt: "Conversion rate per window of rounds, with memory, prior only, and the best fixed variant",
      },
      {
        kind: "table",
        title: `Per window of ${window} rounds`,
        columns: ["Rounds up to", "With memory", "Prior only", "Best fixed"],
        numeric: [0, 1, 2, 3],
        rows: adaptive.map((w, i) => [
          String(w.round),
          pct(w.rate),
          pct(prior[i]!.rate),
          pct(bestRates[i]!.rate),
        ]),
      },
      {
        kind: "table",
        title: `What memory holds afterwards (segment ${segment})`,
        columns: ["Variant", "Trials", "Conversions", "Rate"],
        numeric: [1, 2, 3],
        rows: stored.map((v) => [
          v.variantId,
          String(v.trials),
          String(v.successes),
          v.trials ? pct(v.successes / v.trials) : "–",
        ]),
      },
      {
        kind: "text",
        text:
          `Episodic memory's "what worked for similar leads" ranks \`${topVariant ?? "nothing"}\` first; the most-converting variant in ` +
          `memory's tallies is \`${mostConverting ?? "none"}\`. Writes: p50 ${formatDuration(write.p50)}, p95 ${formatDuration(write.p95)} ` +
          `per \`outcomes.record\` (episode, exposure, statistics and profile in one transaction); reads: p50 ${formatDuration(read.p50)}.`,
      },
    ],
    charts: [
      {
        file: "adaptive-windows.svg",
        spec: windowRateSpec(
          [
            ...adaptive.map((w) => ({ series: "with memory", x: w.round, y: w.rate })),
            ...prior.map((w) => ({ series: "prior only (no memory)", x: w.round, y: w.rate })),
            ...bestRates.map((w) => ({ series: `best fixed (${arms[best]})`, x: w.round, y: w.rate })),
          ],
          `${rows.length.toLocaleString("en-US")} ads-click rounds in time order, windows of ${window}`,
        ),
      },
    ],
  };
}

export const adaptiveSuite: Suite = {
  id: "adaptive",
  title: "Adaptive loop: learning from outcomes through memory",
  needs: ["ads"],
  steps: (profile) => ROUNDS[profile] + 1,
  run: runAdaptiveSuite,
};
