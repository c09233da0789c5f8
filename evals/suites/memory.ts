import { readLeadsCsv } from "../../src/agents/triage/dataset.js";
import { estimateTokens } from "../../src/memory/context/assemble.js";
import { createMemory } from "../../src/memory/service.js";
import { formatDuration } from "../harness/format.js";
import { metric } from "../harness/report.js";
import { rowToLead, sampleOf } from "./dataset-leads.js";
import { planQuestions, rankOf } from "./memory-questions.js";
import type { Suite, SuiteContext, SuiteOutcome } from "./suite.js";
import { percentile } from "./triage-curves.js";

/**
 * Memory: facts about a seeded sample of dataset leads written to the knowledge graph
 * (`knowledge.assertFact`, with one city change for every fifth person), then a question per fact asked
 * through `knowledge.query` (vector + full-text + entity neighbourhood, fused by reciprocal rank). Reports the
 * triple memory vendors publish: accuracy (@1, @5, MRR), search latency p50/p95, and the tokens of context
 * an answer costs (the top five facts' statements, estimated as the working set estimates them).
 */

const PEOPLE = { full: 150, ci: 40 } as const;
const SAMPLE_SEED = 11;
const TOP_K = 5;
const TENANT = "eval-memory";

const pct = (x: number) => `${(x * 100).toFixed(1)}%`;

async function runMemorySuite(ctx: SuiteContext): Promise<SuiteOutcome> {
  const { rows } = readLeadsCsv(ctx.data.files.leads!);
  const sample = sampleOf(
    rows.map((_, i) => i),
    PEOPLE[ctx.profile],
    SAMPLE_SEED,
  ).map((i) => ({ person: rowToLead(rows[i]!).name!, row: rows[i]! }));
  const { facts, questions } = planQuestions(sample);
  ctx.progress.setTotal(facts.length + questions.length + 1);
  ctx.progress.advance(1, "writing facts");
  const system = await ctx.system();
  const memory = createMemory({ db: system.database.db }).forTenant(TENANT);

  for (const f of facts) {
    await memory.knowledge.assertFact({
      subject: { type: "person", name: f.person },
      predicate: f.predicate,
      value: f.value,
      validFrom: f.validFrom,
      source: "eval:leads.csv",
    });
    ctx.progress.advance(1);
  }
  ctx.progress.label("asking");
  const results: { kind: string; rank: number | null; ms: number; tokens: number }[] = [];
  for (const q of questions) {
    const started = performance.now();
    const answer = await memory.knowledge.query({
      query: q.query,
      limit: TOP_K,
      ...(q.validAt ? { validAt: q.validAt } : {}),
    });
    const ms = performance.now() - started;
    const context = answer.hits.map((h) => h.fact.statement).join("\n");
    results.push({
      kind: q.kind,
      rank: rankOf(
        answer.hits.map((h) => h.fact),
        facts[q.answer]!,
      ),
      ms,
      tokens: estimateTokens(context),
    });
    ctx.progress.advance(1);
  }

  const at = (k: number, list = results) =>
    list.filter((r) => r.rank !== null && r.rank <= k).length / list.length;
  const mrr = results.reduce((s, r) => s + (r.rank ? 1 / r.rank : 0), 0) / results.length;
  const ms = results.map((r) => r.ms);
  const tokens = results.map((r) => r.tokens);
  const kinds = [...new Set(results.map((r) => r.kind))];
  return {
    summary: `${results.length} questions over ${facts.length} facts about ${sample.length} people: accuracy@1 ${pct(at(1))}, @${TOP_K} ${pct(at(TOP_K))}; search p95 ${formatDuration(percentile(ms, 95))}; ${Math.round(percentile(tokens, 50))} tokens of context per answer`,
    metrics: [
      metric({
        id: "questions",
        label: "questions",
        value: results.length,
        format: "integer",
        better: "none",
      }),
      metric({ id: "accuracy@1", label: "accuracy@1", value: at(1), format: "percent", better: "higher" }),
      metric({
        id: `accuracy@${TOP_K}`,
        label: `accuracy@${TOP_K}`,
        value: at(TOP_K),
        format: "percent",
        better: "higher",
      }),
      metric({ id: "mrr", label: `MRR@${TOP_K}`, value: mrr, better: "higher" }),
      metric({
        id: "search.p50-ms",
        label: "search p50",
        value: percentile(ms, 50),
        format: "ms",
        better: "lower",
      }),
      metric({
        id: "search.p95-ms",
        label: "search p95",
        value: percentile(ms, 95),
        format: "ms",
        better: "lower",
      }),
      metric({
        id: "tokens.median",
        label: `context tokens per answer (top ${TOP_K}), median`,
        value: percentile(tokens, 50),
        format: "integer",
        better: "lower",
      }),
    ],
    sections: [
      {
        kind: "text",
        text:
          `${sample.length} people from a seeded sample of leads.csv, each with up to four facts from their own row (how they found us, ` +
          `occupation, city, specialization; unanswered columns skipped). Every fifth person later moves city: the current question must ` +
          `find the new city, and the same question asked about an earlier date (valid time) the old one. Answers are the top ${TOP_K} ` +
          `facts of \`knowledge.query\`; tokens are estimated like the working set does (\`estimateTokens\`) on their statements.`,
      },
      {
        kind: "table",
        title: "Accuracy by question kind",
        columns: ["Kind", "Questions", "@1", `@${TOP_K}`, "Search p50"],
        numeric: [1, 2, 3, 4],
        rows: kinds.map((kind) => {
          const list = results.filter((r) => r.kind === kind);
          return [
            kind,
            String(list.length),
            pct(at(1, list)),
            pct(at(TOP_K, list)),
            formatDuration(
              percentile(
                list.map((r) => r.ms),
                50,
              ),
            ),
          ];
        }),
      },
    ],
    charts: [],
  };
}

export const memorySuite: Suite = {
  id: "memory",
  title: "Memory: retrieval accuracy, latency and context tokens",
  needs: ["leads"],
  steps: (profile) => PEOPLE[profile] * 8,
  run: runMemorySuite,
};
