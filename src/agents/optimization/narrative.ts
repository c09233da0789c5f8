/**
 * The strategy narrative: offline, the recommendations' own sentences; on the LLM path, the model's
 * phrasing, kept only when every number it cites appears in what it was given (as given, or a fraction
 * shown as a percentage, at the precision printed). Otherwise the offline text stands and the reason is
 * reported: the model may phrase the numbers, never make them up.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { LlmOutputError } from "../../llm/errors.js";
import { invokeStructured } from "../../llm/structured.js";
import { OFFLINE } from "../handoff.js";
import { NARRATIVE_SYSTEM_PROMPT } from "./prompts.js";
import type { Recommendation } from "./strategy.js";

export interface Narrative {
  text: string;
  model: string;
  /** Why the model's narrative was not used, when a model was configured. */
  fallback?: string;
}

export function offlineNarrative(recommendations: readonly Recommendation[]): string {
  if (recommendations.length === 0) return "Nothing to recommend yet: no experiment or budget to read.";
  return recommendations.map((r) => `${capitalize(r.action)}: ${r.reason}`).join(" ");
}

const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Numbers as written in text: "1,200", "4.2", "0.97", "-3"; ranges like "3–5" give two. */
const numberToken = /(?<![\w.])-?\d{1,3}(?:,\d{3})+(?:\.\d+)?|(?<![\w.])-?\d+(?:\.\d+)?/g;

function numbersIn(text: string): { value: number; decimals: number }[] {
  return (text.match(numberToken) ?? []).map((token) => {
    const plain = token.replace(/,/g, "");
    return { value: Number(plain), decimals: plain.split(".")[1]?.length ?? 0 };
  });
}

/** Every number in a JSON value (and in its strings), the source of truth for the narrative. */
export function groundNumbers(value: unknown): number[] {
  const out: number[] = [];
  const walk = (v: unknown) => {
    if (typeof v === "number" && Number.isFinite(v)) out.push(v);
    else if (typeof v === "string") out.push(...numbersIn(v).map((n) => n.value));
    else if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === "object") Object.values(v).forEach(walk);
  };
  walk(value);
  return out;
}

/** The numbers in `text` that no given number explains, at the precision the text prints. */
export function ungroundedNumbers(text: string, given: readonly number[]): string[] {
  const bad: string[] = [];
  for (const { value, decimals } of numbersIn(text)) {
    const half = 0.5 * 10 ** -decimals + 1e-9;
    const explained = given.some(
      (g) =>
        Math.abs(g - value) <= half || Math.abs(g * 100 - value) <= half || Math.abs(g / 100 - value) <= half,
    );
    if (!explained) bad.push(String(value));
  }
  return bad;
}

const ModelNarrative = z.object({ narrative: z.string() });

/** The model's narrative when it cites only given numbers; the offline one otherwise. */
export async function writeNarrative(
  llm: ChatOpenAI | null,
  recommendations: readonly Recommendation[],
  context: Record<string, unknown> = {},
  options: { maxAttempts?: number; signal?: AbortSignal } = {},
): Promise<Narrative> {
  const offline = offlineNarrative(recommendations);
  if (!llm || recommendations.length === 0) return { text: offline, model: OFFLINE };
  const data = { ...context, recommendations };
  const block = `<data>\n${JSON.stringify(data, null, 2).replace(/</g, "\\u003c")}\n</data>`;
  try {
    const { narrative } = await invokeStructured(
      llm,
      ModelNarrative,
      [
        ["system", NARRATIVE_SYSTEM_PROMPT],
        ["human", block],
      ],
      { name: "strategy_narrative", ...options },
    );
    const bad = ungroundedNumbers(narrative, groundNumbers(data));
    if (bad.length > 0) {
      return {
        text: offline,
        model: OFFLINE,
        fallback: `model narrative cited numbers not in its input (${bad.join(", ")}); offline text kept`,
      };
    }
    return { text: narrative.trim(), model: llm.model };
  } catch (error) {
    if (!(error instanceof LlmOutputError)) throw error;
    return {
      text: offline,
      model: OFFLINE,
      fallback: `model failed (${error.code}): ${error.message}; offline text kept`,
    };
  }
}
