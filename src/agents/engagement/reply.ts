/**
 * Reading an inbound reply offline: sentiment from the AFINN-165 lexicon (the `sentiment` package, which
 * handles negation: "not good" scores negative), intent from a few rules that name the words deciding
 * it. Opt-outs are matched by rule, never by sentiment: "please unsubscribe me" is polite and still final.
 */
import Sentiment from "sentiment";
import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";

export const ReplyIntents = [
  "unsubscribe",
  "negative",
  "meeting",
  "question",
  "positive",
  "neutral",
] as const;
export type ReplyIntent = (typeof ReplyIntents)[number];

export interface ReplyAnalysis {
  intent: ReplyIntent;
  /** -1 (negative) … 1 (positive). */
  sentiment: number;
  /** The words or phrases that decided the intent (rule matches, or lexicon words). */
  matched: string[];
  model: ModelLabel;
  /** The model's one-line rationale, on the LLM path. */
  rationale?: string;
}

/** Opt-out requests, including the carrier keywords (CTIA: STOP, END, CANCEL, UNSUBSCRIBE, QUIT). */
const optOut =
  /\b(unsubscribe|opt[- ]?out|remove me|take me off|do not (contact|email|message|text)|don'?t (contact|email|message|text) me|stop (emailing|messaging|texting|contacting)|leave me alone)\b|^\s*(stop|end|cancel|quit)\s*[.!]*\s*$/gim;
const refusal =
  /\b(not interested|no thanks|no thank you|not for us|not a fit|not a priority|go away|spam|we('re| are) (all )?set|already (have|use|chose))\b/gi;
const scheduling =
  /\b(call|meeting|meet|demo|calendar|schedule|book|available|availability|slot|zoom|teams call)\b/gi;
const question =
  /\?|^\s*(how|what|which|when|why|where|who|can|could|do|does|is|are)\b|\b(pricing|price|cost)\b/gim;

const lexicon = new Sentiment();
// A few words the general-purpose lexicon does not score the way replies to outreach use them.
const extras = { interested: 2, spam: -3, unsubscribe: -2, annoying: -2, pushy: -2 };

/** Lexicon score mapped to -1…1: AFINN word scores run -5…5, so ±5 in total is treated as saturation. */
export function lexiconSentiment(text: string): { score: number; positive: string[]; negative: string[] } {
  const result = lexicon.analyze(text, { extras });
  return {
    score: Math.max(-1, Math.min(1, result.score / 5)),
    positive: result.positive,
    negative: result.negative,
  };
}

const hits = (text: string, pattern: RegExp) => [
  ...new Set((text.match(pattern) ?? []).map((h) => h.trim().toLowerCase())),
];

export function analyzeReply(text: string): ReplyAnalysis {
  const mood = lexiconSentiment(text);
  const base = { sentiment: mood.score, model: OFFLINE };
  const stop = hits(text, optOut);
  if (stop.length > 0) return { intent: "unsubscribe", matched: stop, ...base };
  const no = hits(text, refusal);
  if (no.length > 0) return { intent: "negative", matched: no, ...base };
  const meet = hits(text, scheduling);
  if (meet.length > 0 && mood.score >= 0) return { intent: "meeting", matched: meet, ...base };
  const ask = hits(text, question);
  if (ask.length > 0) return { intent: "question", matched: ask, ...base };
  // No rule fired: the lexicon decides, with a margin so one mild word does not make a verdict.
  if (mood.score >= 0.2) return { intent: "positive", matched: mood.positive, ...base };
  if (mood.score <= -0.4) return { intent: "negative", matched: mood.negative, ...base };
  return { intent: "neutral", matched: [], ...base };
}

/** positive → meeting hand-off, negative → suppress, question → answer (or a person), unsubscribe → stop everywhere. */
export function replyHandoff(analysis: ReplyAnalysis): HandoffDecision {
  const why = analysis.matched.length ? ` (matched: ${analysis.matched.join(", ")})` : "";
  switch (analysis.intent) {
    case "unsubscribe":
      return { to: "end", reason: `reply asks to stop${why}: suppress on every channel` };
    case "negative":
      return { to: "end", reason: `negative reply${why}: suppress further outreach` };
    case "meeting":
    case "positive":
      return { to: "end", reason: `positive reply${why}: hand to sales for a meeting` };
    case "question":
      return { to: "end", reason: `question${why}: answered from stored facts, or routed to a person` };
    case "neutral":
      return { to: "end", reason: "neutral reply: no action" };
  }
}
