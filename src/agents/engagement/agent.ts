/**
 * The engagement agent as the graph runs it: the LLM path when a model is configured, the offline path
 * otherwise and whenever the model fails. Both produce the same `EngagementResult`, labelled with the
 * model that wrote it. On the LLM path a reply's question also gets an answer written from stored facts
 * (`answer-llm.ts`); offline, or when that fails, the question is routed to a person.
 */
import type { ChatOpenAI } from "@langchain/openai";
import { LlmOutputError } from "../../llm/errors.js";
import { OFFLINE } from "../handoff.js";
import { routedToPerson } from "./answer.js";
import { answerWithModel } from "./answer-llm.js";
import { defaultEngagementPolicy, noMemory, selectFacts } from "./context.js";
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
import { summarizeWorkingSet } from "./working-set.js";

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
  const outcome = await withModel(llm, input, offline, options);
  return input.context
    ? { ...outcome, result: { ...outcome.result, workingSet: summarizeWorkingSet(input.context) } }
    : outcome;
}

async function withModel(
  llm: ChatOpenAI,
  input: EngagementInput,
  offline: EngagementOutcome,
  options: { maxAttempts?: number; signal?: AbortSignal },
): Promise<EngagementOutcome> {
  const context = input.context?.text;
  if (input.message || !input.lead) return readReplyWithModel(llm, input, offline, options);

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
      ...(context ? { context } : {}),
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

/**
 * A reply with a model: the model classifies it (an opt-out the rules recognise stays final), and a
 * question gets an answer the model writes from stored facts, checked like a draft. A failed
 * classification keeps the offline reading; a failed answer routes the question to a person, saying why.
 */
async function readReplyWithModel(
  llm: ChatOpenAI,
  input: EngagementInput,
  offline: EngagementOutcome,
  options: { maxAttempts?: number; signal?: AbortSignal },
): Promise<EngagementOutcome> {
  const message = input.message ?? "";
  const memory = input.memory ?? noMemory;
  let reply: Awaited<ReturnType<typeof classifyReplyWithModel>>;
  try {
    reply = await classifyReplyWithModel(llm, message, {
      ...options,
      ...(input.context ? { context: input.context.text } : {}),
    });
  } catch (error) {
    if (!(error instanceof LlmOutputError)) throw error;
    return { ...offline, result: { ...offline.result, fallback: failure(error) } };
  }
  const context = { leadClass: input.leadClass };
  const classified = replyOutcome(reply, message, memory, llm.model, context);
  if (classified.result.action !== "answer") return classified;

  const facts = selectFacts(memory.facts).usable;
  const policy = { ...defaultEngagementPolicy, ...input.policy };
  try {
    const answer = await answerWithModel(llm, {
      question: message,
      lead: input.lead ?? null,
      facts,
      check: { facts, policy },
      ...(input.context ? { context: input.context.text } : {}),
      ...options,
    });
    return replyOutcome(reply, message, memory, llm.model, { ...context, answer });
  } catch (error) {
    if (!(error instanceof LlmOutputError)) throw error;
    const answer = routedToPerson(message, facts, {
      model: llm.model,
      reason: `the model gave no usable answer (${error.code})`,
    });
    const outcome = replyOutcome(reply, message, memory, llm.model, { ...context, answer });
    return {
      ...outcome,
      result: {
        ...outcome.result,
        fallback: `model failed to answer (${error.code}): ${error.message}; the question is routed to a person`,
      },
    };
  }
}
