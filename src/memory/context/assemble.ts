import { MEMORY_PREAMBLE } from "./prompts.js";
import { untrustedBlock } from "./untrusted.js";

/**
 * The short-term working set of a run: the preamble, the lead's profile block, the newest thread messages and
 * the retrieved memories, fitted into a token budget. Pure; `working-set.ts` gathers the inputs.
 *
 * Budget policy: the preamble and the profile always come first (the profile is small by construction), then
 * sections in priority order, each entry whole or not at all (a half memory misleads more than a missing
 * one). Messages are taken newest first and shown oldest first. Every retrieved text is an untrusted block.
 */
export interface ContextEntry {
  /** Where it came from, e.g. "episode:42", "fact:7", "store:leads/l1/notes/n1", "message:3". */
  source: string;
  text: string;
}

export interface ContextSection {
  title: string;
  entries: ContextEntry[];
  /** Messages: the newest entries are kept first, and shown in their original order. */
  keepNewest?: boolean;
}

export interface AssembledContext {
  text: string;
  tokens: number;
  budget: number;
  /** Entries included and dropped per section title. */
  included: Record<string, number>;
  dropped: Record<string, number>;
}

/**
 * Tokens of a text, estimated without a tokenizer: max(chars / 4, words × 4/3), OpenAI's rules of thumb for
 * English (https://help.openai.com/en/articles/4936856). It errs high on short words and punctuation, which
 * is the safe side for a budget.
 */
export function estimateTokens(text: string): number {
  if (text === "") return 0;
  const words = text.split(/\s+/).filter(Boolean).length;
  return Math.ceil(Math.max(text.length / 4, (words * 4) / 3));
}

export function assembleContext(
  sections: readonly ContextSection[],
  budget: number,
  estimate: (text: string) => number = estimateTokens,
): AssembledContext {
  if (!Number.isInteger(budget) || budget < 1)
    throw new RangeError(`budget must be a positive integer, got ${budget}`);
  const parts: string[] = [MEMORY_PREAMBLE];
  let used = estimate(MEMORY_PREAMBLE);
  const included: Record<string, number> = {};
  const dropped: Record<string, number> = {};

  for (const section of sections) {
    const heading = `## ${section.title}`;
    const headingCost = estimate(heading) + 1;
    const order = section.keepNewest ? [...section.entries].reverse() : section.entries;
    const chosen: { index: number; block: string }[] = [];
    let sectionCost = headingCost;
    for (const entry of order) {
      const block = untrustedBlock(entry.source, entry.text);
      const cost = estimate(block) + 1;
      if (used + sectionCost + cost > budget) continue;
      sectionCost += cost;
      chosen.push({ index: section.entries.indexOf(entry), block });
    }
    included[section.title] = chosen.length;
    dropped[section.title] = section.entries.length - chosen.length;
    if (chosen.length === 0) continue;
    chosen.sort((a, b) => a.index - b.index);
    parts.push(heading, ...chosen.map((c) => c.block));
    used += sectionCost;
  }
  return { text: parts.join("\n"), tokens: used, budget, included, dropped };
}
