/**
 * What the engagement agent needs from the rest of the system when the graph runs it: memory to ground
 * drafts and answer questions, the suppression list, and ways to record a suppression and an outcome. All optional:
 * without them the agent drafts from the lead alone and reports (but cannot record) an opt-out.
 */
import { createHash } from "node:crypto";
import type { ChatOpenAI } from "@langchain/openai";
import type { LeadInput } from "../../db/lead-input.js";
import type { ProfileBlock } from "../../memory/profile/profile.js";
import type { LeadClass } from "../triage/classify.js";
import { runEngagementAgent } from "./agent.js";
import type { EngagementMemory, EngagementPolicy } from "./context.js";
import type { EngagementOutcome } from "./node.js";
import type { Channel } from "./templates.js";
import { type ConversationTurn, engagementWorkingSet } from "./working-set.js";

export interface SuppressionRecord {
  scope: Channel | "all";
  reason: string;
  source: string;
}

export interface EngagementServices {
  /** Facts about the product and company relevant to the lead or question, and similar leads' episodes. */
  recall?: (
    tenantId: string,
    query: { lead: (LeadInput & { id?: string }) | null; text: string | null },
  ) => Promise<EngagementMemory>;
  /** The lead's suppressed channels ("all" after an unsubscribe). */
  suppressions?: (tenantId: string, leadId: string) => Promise<(Channel | "all")[]>;
  /** Records a suppression so no channel sends to the lead again (idempotent: a replayed step may repeat it). */
  suppress?: (tenantId: string, leadId: string, record: SuppressionRecord) => Promise<void>;
  /**
   * Records an outcome of the lead (the learning loop's `outcomes.record`): an unsubscribe reply is recorded
   * as "unsubscribed", once per idempotency key.
   */
  recordOutcome?: (
    tenantId: string,
    outcome: { idempotencyKey: string; leadId: string; event: "unsubscribed" },
  ) => Promise<void>;
  policy?: Partial<EngagementPolicy>;
}

export interface EngageRequest {
  tenantId: string | null;
  lead: (LeadInput & { id?: string }) | null;
  leadClass: LeadClass | null;
  message: string | null;
  /**
   * Identifies this reading of the reply, for the outcome's idempotency key (the graph passes its thread
   * and step, so a replayed step records nothing twice); default: the lead and a hash of the message.
   */
  replyKey?: string | null;
  /** The lead's profile block and the thread's conversation: the working set of the model calls. */
  profile?: ProfileBlock | null;
  conversation?: readonly ConversationTurn[];
  /** Token budget of the working set (default `DEFAULT_CONTEXT_BUDGET`). */
  contextBudget?: number;
}

/**
 * Runs the engagement agent with memory and suppressions loaded, and records what a reply calls for:
 * an unsubscribe suppresses every channel and is recorded as an "unsubscribed" outcome, a negative reply
 * suppresses further outreach. Both whatever the lead's triage class, disqualified included.
 */
export async function engage(
  request: EngageRequest,
  services: EngagementServices | undefined,
  deps: { llm: ChatOpenAI | null; signal?: AbortSignal },
): Promise<EngagementOutcome> {
  const { tenantId, lead } = request;
  const memory =
    tenantId && services?.recall
      ? await services.recall(tenantId, { lead, text: request.message })
      : undefined;
  const suppressed =
    tenantId && lead?.id && services?.suppressions
      ? await services.suppressions(tenantId, lead.id)
      : undefined;
  // Only model calls read the working set: offline, assembling it would be work nobody reads.
  const context = deps.llm
    ? engagementWorkingSet(
        {
          profile: request.profile ?? null,
          conversation: request.conversation ?? [],
          similar: memory?.similar ?? [],
        },
        request.contextBudget,
      )
    : undefined;
  const outcome = await runEngagementAgent(
    {
      lead,
      leadClass: request.leadClass,
      message: request.message,
      ...(context ? { context } : {}),
      ...(memory ? { memory } : {}),
      ...(suppressed ? { suppressed } : {}),
      ...(services?.policy ? { policy: services.policy } : {}),
    },
    deps,
  );
  const { action, reply } = outcome.result;
  if ((action === "stop" || action === "suppress") && reply && tenantId && lead?.id) {
    // Recorded whatever the lead's class: a disqualified lead's opt-out counts as much as anyone's.
    await services?.suppress?.(tenantId, lead.id, {
      scope: "all",
      reason: outcome.handoff.reason,
      source: action === "stop" ? "reply: unsubscribe" : "reply: negative",
    });
    if (action === "stop") {
      const key =
        request.replyKey ??
        `${lead.id}:${createHash("sha256")
          .update(request.message ?? "")
          .digest("hex")
          .slice(0, 16)}`;
      await services?.recordOutcome?.(tenantId, {
        idempotencyKey: `reply-unsubscribe:${key}`,
        leadId: lead.id,
        event: "unsubscribed",
      });
    }
  }
  return outcome;
}
