/**
 * Answering a reply's question. Only the LLM path writes answers (`answer-llm.ts`), grounded in stored
 * facts and held to the same checks as drafts. The offline path writes none: it says it is offline and
 * routes the question to a person, with the stored facts that look relevant to help them reply. Quoting a
 * fact back at a question and calling it an answer would be a canned reply dressed up as one.
 */
import { type ModelLabel, OFFLINE } from "../handoff.js";
import type { DraftCheck } from "./checks.js";
import type { GroundingFact } from "./context.js";
import type { Claim } from "./grounding.js";

export interface KnowledgeAnswer {
  /** The answer to send (`answered`), or else a note saying why none was written and who takes over. */
  text: string;
  /** `fact:<id>` of every fact the answer states; empty when nothing was answered. */
  citations: string[];
  /** True only when a model wrote an answer that passed every check. */
  answered: boolean;
  /** The model that wrote or declined the answer, or "offline" when no model was asked. */
  model: ModelLabel;
  /** Who replies to the lead: the system (the answer is ready to send) or a person. */
  handledBy: "system" | "person";
  /** Why it was answered or routed, in one line. */
  reason: string;
  /** Stored facts that look relevant to the question (`fact:<id>`, best first): help for the person who replies. */
  relevantFacts?: string[];
  /** The model's claims, each citing its source, as the grounding check saw them. */
  claims?: Claim[];
  /** The checks the model's answer went through (the drafts' checks). */
  checks?: DraftCheck[];
  /** What was done to the model's answer before its checks (opt-out text appended, a revision round). */
  revisions?: string[];
  /** The model's last answer when it failed its checks: shown to the person, never sent. */
  rejectedText?: string;
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

/** Facts sharing enough content words with the question, best first (ties keep memory's order). */
export function relevantFacts(
  question: string,
  facts: readonly GroundingFact[],
  options: { minRelevance?: number; maxFacts?: number } = {},
): GroundingFact[] {
  const { minRelevance = 0.3, maxFacts = 3 } = options;
  return facts
    .map((fact, i) => ({ fact, i, score: relevance(question, fact) }))
    .filter((r) => r.score >= minRelevance)
    .sort((a, b) => b.score - a.score || a.i - b.i)
    .slice(0, maxFacts)
    .map((r) => r.fact);
}

export const OFFLINE_ANSWER_NOTE =
  "Offline mode: no language model is configured, so no answer was written. This question is routed to a person.";

/** A question routed to a person, with why and the facts that may help them. */
export function routedToPerson(
  question: string,
  facts: readonly GroundingFact[],
  how: { model: ModelLabel; reason: string; text?: string },
): KnowledgeAnswer {
  const relevant = relevantFacts(question, facts).map((f) => `fact:${f.id}`);
  return {
    text: how.text ?? `No answer was sent: ${how.reason}. A person will reply.`,
    citations: [],
    answered: false,
    model: how.model,
    handledBy: "person",
    reason: how.reason,
    ...(relevant.length > 0 ? { relevantFacts: relevant } : {}),
  };
}

/** The offline path: no answer is written; the question goes to a person, labelled as offline. */
export function routeQuestionOffline(question: string, facts: readonly GroundingFact[]): KnowledgeAnswer {
  return routedToPerson(question, facts, {
    model: OFFLINE,
    reason: "offline mode: no model writes answers",
    text: OFFLINE_ANSWER_NOTE,
  });
}
