/**
 * What the engagement agent needs from the rest of the system when the graph runs it: memory to ground
 * drafts and answer questions, the suppression list, and a way to record a suppression. All optional:
 * without them the agent drafts from the lead alone and reports (but cannot record) an opt-out.
 */
import type { ChatOpenAI } from "@langchain/openai";
import type { LeadInput } from "../../db/lead-input.js";
import type { LeadClass } from "../triage/classify.js";
import { runEngagementAgent } from "./agent.js";
import type { EngagementMemory, EngagementPolicy } from "./context.js";
import type { EngagementOutcome } from "./node.js";
import type { Channel } from "./templates.js";

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
  policy?: Partial<EngagementPolicy>;
}

export interface EngageRequest {
  tenantId: string | null;
  lead: (LeadInput & { id?: string }) | null;
  leadClass: LeadClass | null;
  message: string | null;
}

/**
 * Runs the engagement agent with memory and suppressions loaded, and records what a reply calls for:
 * an unsubscribe suppresses every channel, a negative reply suppresses further outreach.
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
  const outcome = await runEngagementAgent(
    {
      lead,
      leadClass: request.leadClass,
      message: request.message,
      ...(memory ? { memory } : {}),
      ...(suppressed ? { suppressed } : {}),
      ...(services?.policy ? { policy: services.policy } : {}),
    },
    deps,
  );
  const { action, reply } = outcome.result;
  if ((action === "stop" || action === "suppress") && reply && tenantId && lead?.id && services?.suppress) {
    await services.suppress(tenantId, lead.id, {
      scope: "all",
      reason: outcome.handoff.reason,
      source: action === "stop" ? "reply: unsubscribe" : "reply: negative",
    });
  }
  return outcome;
}
