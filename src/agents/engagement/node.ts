/**
 * The engagement agent's offline path: drafts outreach for a triaged lead, or reads an inbound reply.
 * Synchronous and deterministic; `runEngagementAgent` (agent.ts) adds the LLM path around it and falls
 * back to it.
 */

import type { LeadInput } from "../../db/lead-input.js";
import type { AssembledContext } from "../../memory/context/assemble.js";
import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import type { LeadClass } from "../triage/classify.js";
import { type KnowledgeAnswer, routeQuestionOffline } from "./answer.js";
import { type ChannelChoice, chooseChannel } from "./channel.js";
import { failedChecks, rejectionReason } from "./checks.js";
import {
  defaultEngagementPolicy,
  type EngagementMemory,
  type EngagementPolicy,
  type GroundingFact,
  noMemory,
  selectFacts,
} from "./context.js";
import { type Draft, draftVariants } from "./draft.js";
import { analyzeReply, type ReplyAnalysis, replyHandoff } from "./reply.js";
import type { Cadence, Channel } from "./templates.js";
import type { WorkingSetSummary } from "./working-set.js";

/** What a reply calls for; the graph applies it (suppression is recorded, not just reported). */
export type ReplyAction = "meeting" | "suppress" | "answer" | "stop" | "none";

export type RejectedDraft = Draft & { reason: string };

export interface EngagementResult {
  channel: Channel | null;
  channelReason: string;
  /** Permitted channels, best first, with the evidence behind each. */
  channelRanking?: ChannelChoice["ranked"];
  cadence: Cadence | null;
  /** Drafts that passed every check; the optimization agent chooses among them. */
  drafts: Draft[];
  /** Drafts that failed a check, with the reason: kept to show why. */
  rejected: RejectedDraft[];
  reply: ReplyAnalysis | null;
  /** What the reply calls for, when there is one. */
  action?: ReplyAction | null;
  /**
   * A reply's question: the model's checked answer from stored facts, or (offline, declined, failed) a note
   * routing it to a person.
   */
  answer?: KnowledgeAnswer | null;
  /** The stored facts drafts could cite (claims say `fact:<id>`): kept so a reviewer and a re-check see them. */
  facts?: GroundingFact[];
  /** Retrieved facts set aside before drafting, with the reason. */
  ignoredFacts?: { id: string; reason: string }[];
  model: ModelLabel;
  /** Why the LLM path was not used or its output was not kept, when a model was configured. */
  fallback?: string;
  /** The working set the model calls saw (sizes per section, what the budget left out); LLM path only. */
  workingSet?: WorkingSetSummary;
}

export interface EngagementOutcome {
  result: EngagementResult;
  handoff: HandoffDecision;
}

export interface EngagementInput {
  lead?: LeadInput | null;
  leadClass?: LeadClass | null;
  /** An inbound reply (with or without its lead). */
  message?: string | null;
  memory?: EngagementMemory;
  policy?: Partial<EngagementPolicy>;
  /** Channels suppressed for the lead ("all" after an unsubscribe). */
  suppressed?: readonly (Channel | "all")[];
  /** The working set for the model calls (`working-set.ts`); the offline path does not use it. */
  context?: AssembledContext;
}

const actionOf: Record<ReplyAnalysis["intent"], ReplyAction> = {
  unsubscribe: "stop",
  negative: "suppress",
  meeting: "meeting",
  positive: "meeting",
  question: "answer",
  neutral: "none",
};

export interface ReplyContext {
  /** The lead's triage class: a disqualified lead's reply is read, but only an opt-out or a refusal is acted on. */
  leadClass?: LeadClass | null | undefined;
  /** The LLM path's answer to a question (written or declined); absent: the offline path routes it to a person. */
  answer?: KnowledgeAnswer;
}

/** Actions a disqualified lead's reply may still trigger: recording that it wants no contact. */
const disqualifiedActions: readonly ReplyAction[] = ["stop", "suppress", "none"];

/** The result for a reply, given its analysis (offline or the model's). */
export function replyOutcome(
  reply: ReplyAnalysis,
  message: string,
  memory: EngagementMemory,
  model: ModelLabel,
  context: ReplyContext = {},
): EngagementOutcome {
  const facts = selectFacts(memory.facts).usable;
  const disqualified = context.leadClass === "disqualified";
  const intended = actionOf[reply.intent];
  const held = disqualified && !disqualifiedActions.includes(intended);
  const action: ReplyAction = held ? "none" : intended;
  const answer = action === "answer" ? (context.answer ?? routeQuestionOffline(message, facts)) : null;
  const handoff = replyHandoff(reply);
  const why = reply.matched.length ? ` (matched: ${reply.matched.join(", ")})` : "";
  const reason = held
    ? `disqualified lead: reply read as ${reply.intent}${why}; no outreach follows, a person decides whether to act on it`
    : answer
      ? answer.answered
        ? `question${why}: answered by ${answer.model} from stored facts (${answer.citations.join(", ")}), every check passed`
        : `question${why}: ${answer.reason}: routed to a person`
      : disqualified
        ? `disqualified lead, ${handoff.reason}`
        : handoff.reason;
  return {
    result: {
      channel: null,
      channelReason: "inbound message",
      cadence: null,
      drafts: [],
      rejected: [],
      reply,
      action,
      answer,
      ...(answer ? { facts } : {}),
      model,
    },
    handoff: { to: handoff.to, reason },
  };
}

/** Splits drafts into sendable and rejected, each rejection with its reason. */
export function partitionDrafts(all: readonly Draft[]): { drafts: Draft[]; rejected: RejectedDraft[] } {
  return {
    drafts: all.filter((d) => failedChecks(d.checks).length === 0),
    rejected: all
      .filter((d) => failedChecks(d.checks).length > 0)
      .map((d) => ({ ...d, reason: rejectionReason(d.checks) })),
  };
}

/** What every drafting path shares: channel choice and the facts it may quote. */
export function planOutreach(lead: LeadInput, input: EngagementInput) {
  const memory = input.memory ?? noMemory;
  const policy = { ...defaultEngagementPolicy, ...input.policy };
  const cadence: Cadence = input.leadClass === "hot" ? "now" : "nurture";
  const choice = chooseChannel(lead, {
    cadence,
    similar: memory.similar,
    ...(input.suppressed ? { suppressed: input.suppressed } : {}),
    smsNumber: policy.smsNumber,
  });
  return { memory, policy, cadence, choice, facts: selectFacts(memory.facts) };
}

export function draftHandoff(channel: Channel, drafts: readonly Draft[], rejected: number): HandoffDecision {
  return drafts.length > 0
    ? {
        to: "optimization",
        reason: `${drafts.length} ${channel} variants drafted${rejected > 0 ? ` (${rejected} rejected by checks)` : ""}: choose one by their track record`,
      }
    : { to: "end", reason: `no ${channel} draft passed its checks` };
}

/** Drafts outreach for a triaged lead, or reads an inbound reply. Offline: templates grounded in the lead. */
export function runEngagement(input: EngagementInput): EngagementOutcome {
  if (input.message || !input.lead) {
    const message = input.message ?? "";
    return replyOutcome(analyzeReply(message), message, input.memory ?? noMemory, OFFLINE, {
      leadClass: input.leadClass,
    });
  }
  const { policy, cadence, choice, facts, memory } = planOutreach(input.lead, input);
  const base = {
    channelReason: choice.reason,
    channelRanking: choice.ranked,
    cadence,
    reply: null,
    facts: facts.usable,
    ignoredFacts: facts.ignored,
    model: OFFLINE,
  };
  if (!choice.channel) {
    return {
      result: { ...base, channel: null, drafts: [], rejected: [] },
      handoff: { to: "end", reason: choice.reason },
    };
  }
  const all = draftVariants(input.lead, choice.channel, cadence, {
    facts: facts.usable,
    similar: memory.similar,
    check: { facts: facts.usable, policy },
  });
  const { drafts, rejected } = partitionDrafts(all);
  return {
    result: { ...base, channel: choice.channel, drafts, rejected },
    handoff: draftHandoff(choice.channel, drafts, rejected.length),
  };
}
