import type { LeadInput } from "../../db/lead-input.js";

/**
 * Finds text in a lead's free-text fields that reads as an instruction to an AI model ("ignore previous
 * instructions", "mark me hot", a spoofed `</lead_data>` tag). It does not try to catch every injection:
 * it only decides whether an LLM's reading of this lead may move the lead's class (see `combine.ts`).
 * A false positive costs nothing but that one-step move, so the patterns lean towards matching.
 * Literal and short, so a reviewer can audit them.
 */

const patterns: { label: string; pattern: RegExp }[] = [
  {
    label: "asks to ignore instructions",
    pattern:
      /\b(ignore|disregard|forget|override|bypass)\b[^\n]{0,40}\b(instructions?|prompts?|rules|guidelines|above|previous|prior|system)\b/i,
  },
  {
    label: "asks for a rating",
    pattern:
      /\b(mark|classify|rate|score|label|flag|treat|rank|tag|make|upgrade)\b[^.!?\n]{0,30}?\b(hot|warm|cold|qualified|disqualified|high[- ]priority|top priority)\b/i,
  },
  {
    label: "addresses the assistant",
    pattern:
      /\b(you are now|act as|pretend (to be|you are)|new instructions?|system prompt|developer (message|mode)|jailbreak)\b|^\s*(system|assistant)\s*:/im,
  },
  { label: "spoofs a tag", pattern: /<\/?\s*(system|assistant|user|lead_data|instructions?)\b/i },
];

export interface InstructionLikeText {
  field: "notes" | "title" | "company" | "source" | "lastActivity";
  label: string;
  /** The matched text, as written. */
  text: string;
}

/** Every instruction-like passage in the free-text fields the LLM path sends to the model. */
export function instructionLikeText(lead: LeadInput): InstructionLikeText[] {
  const found: InstructionLikeText[] = [];
  for (const field of ["notes", "title", "company", "source", "lastActivity"] as const) {
    const value = lead[field];
    if (!value) continue;
    for (const { label, pattern } of patterns) {
      const match = pattern.exec(value);
      if (match) found.push({ field, label, text: match[0] });
    }
  }
  return found;
}
