import type { HandoffDecision } from "../handoff.js";

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
  /** -1 (negative) … 1 (positive), from the lexicon. */
  sentiment: number;
  matched: string[];
}

// Order matters: an unsubscribe request wins over everything, a refusal over politeness.
const intentRules: { intent: ReplyIntent; pattern: RegExp }[] = [
  { intent: "unsubscribe", pattern: /\b(unsubscribe|stop|remove me|opt[- ]?out|do not (contact|email))\b/gi },
  { intent: "negative", pattern: /\b(not interested|no thanks|no thank you|go away|spam|never)\b/gi },
  { intent: "meeting", pattern: /\b(call|meeting|meet|demo|calendar|schedule|book|available)\b/gi },
  { intent: "question", pattern: /\?|\b(how|what|which|when|why|pricing|price|cost)\b/gi },
  { intent: "positive", pattern: /\b(interested|great|thanks|thank you|sounds good|yes|love)\b/gi },
];

const positiveWords = /\b(great|good|interested|yes|love|thanks|perfect|happy|helpful)\b/gi;
const negativeWords = /\b(not|no|never|spam|annoying|stop|bad|unhappy|waste)\b/gi;

export function analyzeReply(text: string): ReplyAnalysis {
  const pos = text.match(positiveWords)?.length ?? 0;
  const neg = text.match(negativeWords)?.length ?? 0;
  const sentiment = pos + neg === 0 ? 0 : (pos - neg) / (pos + neg);
  for (const rule of intentRules) {
    const hits = text.match(rule.pattern);
    if (hits)
      return { intent: rule.intent, sentiment, matched: [...new Set(hits.map((h) => h.toLowerCase()))] };
  }
  return { intent: "neutral", sentiment, matched: [] };
}

/** positive → meeting hand-off, negative → suppress, question → answer, unsubscribe → stop everywhere. */
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
      return { to: "end", reason: `question${why}: answer from the knowledge base` };
    case "neutral":
      return { to: "end", reason: "neutral reply: no action" };
  }
}
