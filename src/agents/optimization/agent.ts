/**
 * The optimization agent as the graph runs it: the offline statistics decide everything; with a model
 * configured, the model phrases the campaign answer, and its narrative is kept only when every number it
 * cites is one it was given.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { writeNarrative } from "./narrative.js";
import { type OptimizationInput, type OptimizationOutcome, runOptimization } from "./node.js";

export async function runOptimizationAgent(
  input: OptimizationInput,
  deps: { llm: ChatOpenAI | null; maxAttempts?: number; signal?: AbortSignal },
): Promise<OptimizationOutcome> {
  const outcome = runOptimization(input);
  const campaign = outcome.result.campaign;
  if (!deps.llm || !campaign || campaign.recommendations.length === 0) return outcome;
  const narrative = await writeNarrative(
    deps.llm,
    campaign.recommendations,
    // Not the question: numbers in it are the asker's, and must not make a narrative look grounded.
    { campaign: campaign.name },
    {
      ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}),
      ...(deps.signal ? { signal: deps.signal } : {}),
    },
  );
  return {
    ...outcome,
    result: {
      ...outcome.result,
      strategy: narrative.text,
      model: narrative.model,
      ...(narrative.fallback ? { fallback: narrative.fallback } : {}),
    },
  };
}
