import type { LeadInput } from "../../db/lead-input.js";
import { type HandoffDecision, type ModelLabel, OFFLINE } from "../handoff.js";
import type { LeadClass } from "../triage/classify.js";
import { chooseChannel, type Draft, draftVariants } from "./draft.js";
import { analyzeReply, type ReplyAnalysis, replyHandoff } from "./reply.js";

export interface EngagementResult {
  channel: Draft["channel"] | null;
  channelReason: string;
  cadence: "now" | "nurture" | null;
  /** Drafts that passed every check; the optimization agent chooses among them. */
  drafts: Draft[];
  /** Drafts that failed a check, with the failing checks: kept to show why. */
  rejected: Draft[];
  reply: ReplyAnalysis | null;
  model: ModelLabel;
}

export interface EngagementOutcome {
  result: EngagementResult;
  handoff: HandoffDecision;
}

/** Drafts outreach for a triaged lead, or reads an inbound reply. Offline: templates grounded in the lead. */
export function runEngagement(input: {
  lead?: LeadInput | null;
  leadClass?: LeadClass | null;
  message?: string | null;
}): EngagementOutcome {
  if (!input.lead) {
    const reply = analyzeReply(input.message ?? "");
    return {
      result: {
        channel: null,
        channelReason: "inbound message",
        cadence: null,
        drafts: [],
        rejected: [],
        reply,
        model: OFFLINE,
      },
      handoff: replyHandoff(reply),
    };
  }
  const cadence = input.leadClass === "hot" ? "now" : "nurture";
  const { channel, reason } = chooseChannel(input.lead);
  if (!channel) {
    return {
      result: {
        channel: null,
        channelReason: reason,
        cadence,
        drafts: [],
        rejected: [],
        reply: null,
        model: OFFLINE,
      },
      handoff: { to: "end", reason },
    };
  }
  const all = draftVariants(input.lead, channel, cadence);
  const drafts = all.filter((d) => d.checks.every((c) => c.passed));
  const rejected = all.filter((d) => d.checks.some((c) => !c.passed));
  const handoff: HandoffDecision =
    drafts.length > 0
      ? {
          to: "optimization",
          reason: `${drafts.length} ${channel} variants drafted: choose one by their track record`,
        }
      : { to: "end", reason: `no ${channel} draft passed its checks` };
  return {
    result: { channel, channelReason: reason, cadence, drafts, rejected, reply: null, model: OFFLINE },
    handoff,
  };
}
