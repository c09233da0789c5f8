/**
 * The engagement agent as the graph runs it: the LLM path when a model is configured, the offline path
 * otherwise and whenever the model fails. Both produce the same `EngagementResult`, labelled with the
 * model that wrote it.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { LlmOutputError } from "../../llm/errors.js";
import { OFFLINE } from "../handoff.js";
import { noMemory } from "./context.js";
import { draftWithModel } from "./llm-draft.js";
import {
  draftHandoff,
  type EngagementInput,
  type EngagementOutcome,
  partitionDrafts,
  planOutreach,
  replyOutcome,
  runEngagement,
} from "./node.js";
import { classifyReplyWithModel } from "./reply-llm.js";

export interface EngagementAgentDeps {
  llm: ChatOpenAI | null;
  /** Model calls per structured answer (first included). */
  maxAttempts?: number;
  signal?: AbortSignal;
}

const failure = (error: LlmOutputError) =>
  `model failed (${error.code}): ${error.message}; offline result kept`;

export async function runEngagementAgent(
  input: EngagementInput,
  deps: EngagementAgentDeps,
): Promise<EngagementOutcome> {
  const offline = runEngagement(input);
  const { llm } = deps;
  if (!llm) return offline;
  const options = {
    ...(deps.maxAttempts ? { maxAttempts: deps.maxAttempts } : {}),
    ...(deps.signal ? { signal: deps.signal } : {}),
  };

  if (input.message || !input.lead) {
    const message = input.message ?? "";
    try {
      const reply = await classifyReplyWithModel(llm, message, options);
      return replyOutcome(reply, message, input.memory ?? noMemory, llm.model);
    } catch (error) {
      if (!(error instanceof LlmOutputError)) throw error;
      return { ...offline, result: { ...offline.result, fallback: failure(error) } };
    }
  }

  const { channel } = offline.result;
  if (!channel || !offline.result.cadence) return offline;
  const { policy, cadence, facts } = planOutreach(input.lead, input);
  try {
    const all = await draftWithModel(llm, {
      lead: input.lead,
      channel,
      cadence,
      facts: facts.usable,
      variants: policy.variantsPerDraft,
      check: { facts: facts.usable, policy },
      ...options,
    });
    const { drafts, rejected } = partitionDrafts(all);
    if (drafts.length === 0) {
      // Nothing the model wrote passed: send templates rather than nothing, and show what was rejected.
      return {
        result: {
          ...offline.result,
          rejected: [...rejected, ...offline.result.rejected],
          fallback: `no model draft passed its checks (${rejected.length} rejected); offline drafts kept`,
        },
        handoff: offline.handoff,
      };
    }
    return {
      result: { ...offline.result, drafts, rejected, model: llm.model },
      handoff: draftHandoff(channel, drafts, rejected.length),
    };
  } catch (error) {
    if (!(error instanceof LlmOutputError)) throw error;
    return { ...offline, result: { ...offline.result, model: OFFLINE, fallback: failure(error) } };
  }
}
