/**
 * The LLM path for a reply's question: the model writes an answer from the stored facts (structured
 * output, validated with zod) with a claim per factual statement, and the answer goes through the drafts'
 * checks (grounding, links, privacy, compliance, tone, length, slots) plus one more: it must cite at least
 * one stored fact. A failing answer gets one revision round with the reasons; one that still fails, or a
 * model that says the facts do not answer the question, routes the question to a person. Nothing here
 * sends anything: the answer is part of the engagement result.
 *
 * The channel of an inbound reply is not known to the agent, so an answer is checked as an email reply
 * (the longest limit, 1500 characters, and the unsubscribe footer appended by the system, as for drafts).
 */
import type { ChatOpenAI } from "@langchain/openai";
import { z } from "zod";
import type { LeadInput } from "../../db/lead-input.js";
import { LlmOutputError } from "../../llm/errors.js";
import { invokeStructured } from "../../llm/structured.js";
import { OFFLINE } from "../handoff.js";
import { type KnowledgeAnswer, routedToPerson } from "./answer.js";
import { type CheckContext, checkDraft, type DraftCheck, failedChecks, rejectionReason } from "./checks.js";
import type { GroundingFact } from "./context.js";
import type { Claim } from "./grounding.js";
import { ANSWER_SYSTEM_PROMPT, dataBlock, REVISE_ANSWER_INSTRUCTION } from "./prompts.js";
import { unsubscribeFooter } from "./templates.js";

/** What the model must answer with. */
export const ModelAnswer = z.object({
  answerable: z.boolean().describe("false when the FACTS do not answer the question"),
  body: z.string().describe("the answer, plain text; empty when not answerable"),
  claims: z.array(z.object({ text: z.string(), source: z.string() })),
});
export type ModelAnswer = z.infer<typeof ModelAnswer>;

export interface AnswerRequest {
  question: string;
  /** The lead who asked, when known: its name, company and title may be cited. */
  lead: LeadInput | null;
  /** Stored facts already screened (`selectFacts`): the only knowledge an answer may state. */
  facts: readonly GroundingFact[];
  check: CheckContext;
  /** The working set (`working-set.ts`): profile and conversation; for tone, never cited. */
  context?: string;
  maxAttempts?: number;
  signal?: AbortSignal;
}

interface CheckedAnswer {
  body: string;
  claims: Claim[];
  checks: DraftCheck[];
  revisions: string[];
}

/** Checks a model answer as an email reply, with the footer appended by the system. */
export function checkAnswer(
  answer: ModelAnswer,
  request: Pick<AnswerRequest, "lead" | "check">,
): CheckedAnswer {
  const revisions: string[] = [];
  let body = answer.body.trim();
  if (!body.includes(unsubscribeFooter.trim())) {
    body += unsubscribeFooter;
    revisions.push("appended the opt-out text");
  }
  const claims = answer.claims.map((c) => ({ text: c.text.trim(), source: c.source.trim() }));
  const checks = checkDraft({ channel: "email", body, claims }, request.lead ?? {}, request.check);
  const cited = claims.filter((c) => c.source.startsWith("fact:")).length;
  if (answer.body.trim() === "" || cited === 0) {
    checks.push({
      name: "grounding",
      passed: false,
      detail:
        answer.body.trim() === "" ? "the answer is empty" : "an answer must cite at least one stored fact",
    });
  }
  return { body, claims, checks, revisions };
}

const citationsOf = (claims: readonly Claim[]) => [
  ...new Set(claims.filter((c) => c.source.startsWith("fact:")).map((c) => c.source)),
];

/**
 * Asks the model to answer the question from the stored facts, with one revision round for an answer
 * that fails its checks.
 * @throws {LlmOutputError} when the model gives no valid structured answer (the caller routes the question
 * to a person and says why).
 */
export async function answerWithModel(llm: ChatOpenAI, request: AnswerRequest): Promise<KnowledgeAnswer> {
  const { question, facts } = request;
  if (facts.length === 0) {
    return routedToPerson(question, facts, {
      model: OFFLINE,
      reason: "no stored fact to ground an answer on, so the model was not asked",
    });
  }
  const lead = request.lead;
  const data = {
    QUESTION: question,
    LEAD: lead ? { name: lead.name, company: lead.company, title: lead.title } : null,
    FACTS: facts.map((f) => ({ id: f.id, statement: f.statement })),
    ...(request.context ? { CONTEXT: request.context } : {}),
  };
  const messages: [string, string][] = [
    ["system", ANSWER_SYSTEM_PROMPT],
    ["human", `Answer the lead's question.\n${dataBlock(data)}`],
  ];
  const options = {
    name: "question_answer",
    ...(request.maxAttempts ? { maxAttempts: request.maxAttempts } : {}),
    ...(request.signal ? { signal: request.signal } : {}),
  };
  const declined = () =>
    routedToPerson(question, facts, {
      model: llm.model,
      reason: "the model found nothing in the stored facts that answers it",
    });

  const first = await invokeStructured(llm, ModelAnswer, messages, options);
  if (!first.answerable) return declined();
  let answer = checkAnswer(first, request);
  if (failedChecks(answer.checks).length > 0) {
    const failures = rejectionReason(answer.checks);
    let revised: ModelAnswer | null = null;
    try {
      revised = await invokeStructured(
        llm,
        ModelAnswer,
        [
          ...messages,
          ["ai", JSON.stringify(first)],
          ["human", `${REVISE_ANSWER_INSTRUCTION}\n${dataBlock({ failures })}`],
        ],
        { ...options, name: "revised_answer" },
      );
    } catch (error) {
      // The first answer was valid but failed its checks: it stays rejected, and a person replies.
      if (!(error instanceof LlmOutputError)) throw error;
    }
    if (revised && !revised.answerable) return declined();
    if (revised) {
      const next = checkAnswer(revised, request);
      answer = { ...next, revisions: [...next.revisions, "revised by the model after failing checks"] };
    }
  }

  const failed = failedChecks(answer.checks);
  if (failed.length > 0) {
    return {
      ...routedToPerson(question, facts, {
        model: llm.model,
        reason: `the model's answer failed its checks: ${rejectionReason(answer.checks)}`,
        text: "No answer was sent: the model's answer failed its checks (see reason). A person will reply.",
      }),
      claims: answer.claims,
      checks: answer.checks,
      revisions: answer.revisions,
      rejectedText: answer.body,
    };
  }
  const citations = citationsOf(answer.claims);
  return {
    text: answer.body,
    citations,
    answered: true,
    model: llm.model,
    handledBy: "system",
    reason: `written by ${llm.model} from ${citations.length} stored fact(s); every check passed`,
    claims: answer.claims,
    checks: answer.checks,
    ...(answer.revisions.length > 0 ? { revisions: answer.revisions } : {}),
  };
}
