/**
 * Answering a reply's question from stored knowledge, offline: the facts sharing the most content words
 * with the question, quoted whole and cited. When no fact is close enough the answer says so and a person
 * takes over: an unanswered question is better than an invented answer.
 */
import type { GroundingFact } from "./context.js";

export interface KnowledgeAnswer {
  text: string;
  /** `fact:<id>` of every fact quoted. */
  citations: string[];
  /** False when nothing stored answers the question: hand it to a person. */
  answered: boolean;
}

const stop = new Set(
  "a an and are as at be by can could do does for from how i in is it its me my of on or our the there this to we what when where which who why will with would you your"
    .split(" ")
    .concat(["about", "does", "work", "tell", "know", "please", "thanks", "hi", "hello"]),
);

/** Lower-cased content words with a crude plural/verb suffix strip, enough to match "prices" to "price". */
function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const w of text.toLowerCase().match(/[a-z0-9]+/g) ?? []) {
    if (stop.has(w) || w.length < 2) continue;
    out.add(w.replace(/(ies|es|s|ing|ed)$/, "") || w);
  }
  return out;
}

/** Share of the question's content words a fact contains. */
export function relevance(question: string, fact: GroundingFact): number {
  const q = terms(question);
  if (q.size === 0) return 0;
  const f = terms(fact.statement);
  let shared = 0;
  for (const t of q) if (f.has(t)) shared++;
  return shared / q.size;
}

export const NO_ANSWER = "We have nothing on record that answers this yet; a person will reply.";

export function answerFromKnowledge(
  question: string,
  facts: readonly GroundingFact[],
  options: { minRelevance?: number; maxFacts?: number } = {},
): KnowledgeAnswer {
  const { minRelevance = 0.3, maxFacts = 2 } = options;
  const ranked = facts
    .map((fact, i) => ({ fact, i, score: relevance(question, fact) }))
    .filter((r) => r.score >= minRelevance)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, maxFacts);
  if (ranked.length === 0) return { text: NO_ANSWER, citations: [], answered: false };
  return {
    text: ranked.map((r) => r.fact.statement.trim()).join(" "),
    citations: ranked.map((r) => `fact:${r.fact.id}`),
    answered: true,
  };
}
