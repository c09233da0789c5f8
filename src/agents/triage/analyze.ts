import type { ChatOpenAI } from "@langchain/openai";
import type { LeadInput } from "../../db/lead-input.js";
import { invokeStructured } from "../../llm/structured.js";
import { clipAnalysis, type LeadAnalysis, LeadAnalysisSchema } from "./analysis-schema.js";
import type { LeadClass } from "./classify.js";
import type { TriageFactor } from "./predict.js";
import { LEAD_ANALYSIS_NAME, LEAD_ANALYSIS_SYSTEM_PROMPT, leadAnalysisRequest } from "./prompts.js";

/** Model calls per analysis, first included: an invalid answer gets two more chances with feedback. */
export const LEAD_ANALYSIS_ATTEMPTS = 3;

/**
 * Asks the chat model for a structured analysis of the lead's free text and notes, validated by
 * `LeadAnalysisSchema` and retried with feedback (`invokeStructured`).
 *
 * @throws {LlmOutputError} when no valid answer came back, or the endpoint failed or timed out.
 */
export async function analyzeLead(
  llm: ChatOpenAI,
  lead: LeadInput,
  score: { probability: number; leadClass: LeadClass; factors: readonly TriageFactor[] },
  options: { signal?: AbortSignal; maxAttempts?: number; history?: string } = {},
): Promise<LeadAnalysis> {
  const analysis = await invokeStructured(
    llm,
    LeadAnalysisSchema,
    [
      ["system", LEAD_ANALYSIS_SYSTEM_PROMPT],
      ["human", leadAnalysisRequest(lead, score, options.history)],
    ],
    {
      name: LEAD_ANALYSIS_NAME,
      maxAttempts: options.maxAttempts ?? LEAD_ANALYSIS_ATTEMPTS,
      ...(options.signal ? { signal: options.signal } : {}),
    },
  );
  return clipAnalysis(analysis);
}
