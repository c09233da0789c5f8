/**
 * The LLM path for replies: a structured classification, combined with the offline rules by one stated
 * rule: an opt-out the rules recognise is final whatever the model says (stopping wrongly costs a lead;
 * not stopping breaks the law), otherwise the model's intent and sentiment stand.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import { invokeStructured } from "../../llm/structured.js";
import { dataBlock, REPLY_SYSTEM_PROMPT } from "./prompts.js";
import { analyzeReply, type ReplyAnalysis, ReplyIntents } from "./reply.js";

export const ModelReply = z.object({
  intent: z.enum(ReplyIntents),
  sentiment: z.number().min(-1).max(1),
  rationale: z.string(),
});
export type ModelReply = z.infer<typeof ModelReply>;

/** Combines the offline reading and the model's; pure, so the rule is tested on its own. */
export function combineReplyReadings(
  offline: ReplyAnalysis,
  model: ModelReply,
  label: string,
): ReplyAnalysis {
  if (offline.intent === "unsubscribe") {
    return {
      ...offline,
      model: label,
      rationale: `opt-out rule matched; model said ${model.intent}: ${model.rationale}`,
    };
  }
  return {
    intent: model.intent,
    sentiment: model.sentiment,
    matched: model.intent === offline.intent ? offline.matched : [],
    model: label,
    rationale: model.rationale,
  };
}

/**
 * Classifies a reply with the model.
 * @throws {LlmOutputError} when the model gives no valid answer (the caller keeps the offline reading).
 */
export async function classifyReplyWithModel(
  llm: ChatOpenAI,
  text: string,
  options: { maxAttempts?: number; signal?: AbortSignal; context?: string } = {},
): Promise<ReplyAnalysis> {
  const { context, ...callOptions } = options;
  const answer = await invokeStructured(
    llm,
    ModelReply,
    [
      ["system", REPLY_SYSTEM_PROMPT],
      ["human", dataBlock({ reply: text, ...(context ? { CONTEXT: context } : {}) })],
    ],
    { name: "reply_classification", ...callOptions },
  );
  return combineReplyReadings(analyzeReply(text), answer, llm.model);
}
