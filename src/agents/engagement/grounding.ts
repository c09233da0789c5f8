/**
 * Grounding: every factual claim in a draft cites where it comes from, a stored fact (`fact:<id>`) or a
 * lead field (`lead:<field>`), and the citation must hold: the claim appears in the draft, the source
 * exists, and the source says it. Sentences that assert something checkable (figures, percentages,
 * prices, "trusted by", certifications) must contain a cited claim. Pure: the eval harness and the send
 * step run the same code.
 */
import type { LeadInput } from "../../db/lead-input.js";
import type { GroundingFact } from "./context.js";

export interface Claim {
  /** The words of the draft that state the fact, as they appear in it. */
  text: string;
  /** `fact:<id>` for a stored fact, `lead:<field>` for a field of the lead. */
  source: string;
}

/** Lead fields a claim may cite; the same ones the templates fill slots from. */
const citableLeadFields = ["name", "company", "title", "source", "lastActivity"] as const;

/** Figures a reader would take as facts: money, percentages, multipliers, counts of customers. */
const figurePattern =
  /[$€£]\s?\d[\d,.]*\s?[kmb]?|\d[\d,.]*\s?(%|percent\b|x\b|×)|\b\d[\d,.]*\+?\s+(customers|companies|teams|clients|users|businesses|brands|countries|hours|days)\b/gi;
/** Phrases that assert something about the product or company a reader could hold us to. */
const assertionPattern =
  /\b(trusted by|used by|customers (like|such as|include)|award[- ]winning|certified|compliant|integrates? with|#1|number one|market[- ]leading|industry[- ]leading|proven to|guarantees?)\b/i;

const normalize = (text: string) => text.toLowerCase().replace(/\s+/g, " ").trim();
const words = (text: string) => normalize(text).match(/[a-z0-9]+(?:[.,][0-9]+)?/g) ?? [];
const stopWords = new Set(
  "a an and are as at be by for from has have in is it its of on or our that the their this to we with you your"
    .split(" ")
    .concat(["can", "will", "more", "than", "up"]),
);

/** Splits text into sentences (a line break ends one too), keeping the original wording. */
export function sentencesOf(text: string): string[] {
  return text
    .split(/(?<=[.!?])\s+|\n+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}

/** The source text a citation points at, or undefined when it points at nothing. */
export function resolveSource(
  source: string,
  lead: LeadInput,
  facts: readonly GroundingFact[],
): string | undefined {
  const [kind, ...rest] = source.split(":");
  const key = rest.join(":");
  if (kind === "fact") return facts.find((f) => f.id === key)?.statement;
  if (kind === "lead" && (citableLeadFields as readonly string[]).includes(key)) {
    const value = lead[key as (typeof citableLeadFields)[number]];
    return typeof value === "string" && value.trim() !== "" ? value : undefined;
  }
  return undefined;
}

/**
 * Whether `source` supports `claim`: every figure in the claim appears in the source, and most of the
 * claim's content words do (a lead field must appear whole: "CTO at Acme" is supported by title "CTO").
 */
export function supports(sourceText: string, claim: string, kind: "fact" | "lead"): boolean {
  const source = normalize(sourceText);
  const figures = claim.match(/\d[\d,.]*/g) ?? [];
  if (!figures.every((f) => source.includes(f.replace(/[.,]$/, "")))) return false;
  if (kind === "lead") {
    // A first name cites the full name; "CTO at Acme" cites the title "CTO": whole words either way.
    const c = ` ${words(claim).join(" ")} `;
    const f = ` ${words(sourceText).join(" ")} `;
    return c.trim() !== "" && (c.includes(f) || f.includes(c));
  }
  const content = words(claim).filter((w) => !stopWords.has(w));
  if (content.length === 0) return false;
  const sourceWords = new Set(words(sourceText));
  const found = content.filter((w) => sourceWords.has(w) || sourceWords.has(w.replace(/s$/, ""))).length;
  return found / content.length >= 0.75;
}

export interface GroundingProblem {
  kind: "unknown_source" | "not_in_draft" | "unsupported" | "uncited_assertion";
  detail: string;
}

/** Everything wrong with a draft's grounding; empty when every claim holds and every assertion is cited. */
export function groundingProblems(
  text: string,
  claims: readonly Claim[],
  lead: LeadInput,
  facts: readonly GroundingFact[],
): GroundingProblem[] {
  const problems: GroundingProblem[] = [];
  const draft = normalize(text);
  const held: Claim[] = [];
  for (const claim of claims) {
    const sourceText = resolveSource(claim.source, lead, facts);
    const quoted = `"${claim.text.slice(0, 60)}"`;
    if (sourceText === undefined) {
      problems.push({
        kind: "unknown_source",
        detail: `${quoted} cites ${claim.source}, which does not exist`,
      });
    } else if (!draft.includes(normalize(claim.text))) {
      problems.push({ kind: "not_in_draft", detail: `${quoted} is cited but not in the draft` });
    } else if (!supports(sourceText, claim.text, claim.source.startsWith("fact:") ? "fact" : "lead")) {
      problems.push({ kind: "unsupported", detail: `${quoted} is not what ${claim.source} says` });
    } else {
      held.push(claim);
    }
  }
  for (const sentence of sentencesOf(text)) {
    const s = normalize(sentence);
    // A figure or assertion is covered only by a held claim in this sentence that contains it: a cited
    // first name elsewhere in the sentence does not vouch for "we cut costs by 55%".
    const inSentence = held.map((c) => normalize(c.text)).filter((c) => s.includes(c));
    const figure = (sentence.match(figurePattern) ?? []).find(
      (f) => !inSentence.some((c) => c.includes(normalize(f))),
    );
    const assertion = sentence.match(assertionPattern)?.[0];
    const uncitedAssertion =
      assertion !== undefined && !inSentence.some((c) => c.includes(normalize(assertion)));
    if (figure === undefined && !uncitedAssertion) continue;
    problems.push({
      kind: "uncited_assertion",
      detail: `"${sentence.slice(0, 80)}" states ${figure !== undefined ? `a figure (${figure.trim()})` : "a fact"} no stored fact supports`,
    });
  }
  return problems;
}
