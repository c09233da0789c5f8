import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { Draft } from "../../src/agents/engagement/draft.js";
import type { LeadInput } from "../../src/db/lead-input.js";
import { invokeStructured } from "../../src/llm/structured.js";
import { JUDGE_SYSTEM_PROMPT, judgeUserPrompt } from "./prompts.js";

/**
 * The LLM-as-judge hook: used by the engagement suite only when a model endpoint is configured
 * (OPENAI_API_KEY or OPENAI_BASE_URL); offline runs skip it and say so. The model is created by the CLI from
 * the one configuration schema and handed in, so nothing here reads the environment.
 */

const score = z.number().int().min(1).max(5);
export const JudgeVerdict = z.object({
  personalization: score,
  relevance: score,
  tone: score,
  groundedness: score,
  issues: z.array(z.string()).max(5),
});
export type JudgeVerdict = z.infer<typeof JudgeVerdict>;
export const JUDGE_CRITERIA = ["personalization", "relevance", "tone", "groundedness"] as const;

export interface Judge {
  /** The model's name, recorded in the report. */
  model: string;
  rate(lead: LeadInput, draft: Draft): Promise<JudgeVerdict>;
}

export function createJudge(llm: ChatOpenAI, model: string): Judge {
  return {
    model,
    rate: (lead, draft) =>
      invokeStructured(
        llm,
        JudgeVerdict,
        [
          { role: "system", content: JUDGE_SYSTEM_PROMPT },
          { role: "user", content: judgeUserPrompt(lead, draft) },
        ],
        { name: "draft_review" },
      ),
  };
}
