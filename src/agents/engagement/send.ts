import type { LeadInput } from "../../db/lead-input.js";
import type { HandoffDecision } from "../handoff.js";
import type { ApprovalDecision, Delivery } from "./approval.js";
import { type CheckContext, checkDraft, rejectionReason } from "./checks.js";
import type { Draft } from "./draft.js";

export interface OutgoingMessage {
  variantId: string;
  channel: Draft["channel"];
  subject?: string;
  body: string;
}

export type SendPlan =
  | { kind: "queue"; message: OutgoingMessage; approvedBy?: string }
  | { kind: "stop"; delivery: Delivery; handoff: HandoffDecision };

/**
 * Applies a human's decision (or none, when policy needs no approval) to the selected draft. An edited
 * message is checked again: a person's edit cannot bypass the compliance and privacy checks.
 */
export function planSend(
  draft: Draft,
  lead: LeadInput,
  decision: (ApprovalDecision & { by?: string }) | null,
  context: CheckContext = {},
): SendPlan {
  if (decision?.action === "reject") {
    const reason = `rejected by ${decision.by ?? "reviewer"}: ${decision.reason}`;
    return {
      kind: "stop",
      delivery: { status: "rejected", variantId: draft.variantId, reason },
      handoff: { to: "end", reason },
    };
  }
  const message: OutgoingMessage = {
    variantId: draft.variantId,
    channel: draft.channel,
    ...(decision?.action === "edit"
      ? decision.subject
        ? { subject: decision.subject }
        : {}
      : draft.subject
        ? { subject: draft.subject }
        : {}),
    body: decision?.action === "edit" ? decision.body : draft.body,
  };
  if (decision?.action === "edit") {
    // Claims the editor removed no longer need to hold; any new figure or assertion needs one that does.
    const text = `${message.subject ?? ""}\n${message.body}`.toLowerCase();
    const claims = (draft.claims ?? []).filter((c) => text.includes(c.text.toLowerCase()));
    const checks = checkDraft({ ...message, claims }, lead, context);
    if (checks.some((c) => !c.passed)) {
      const reason = `edited message fails checks: ${rejectionReason(checks)}`;
      return {
        kind: "stop",
        delivery: { status: "blocked", variantId: draft.variantId, reason },
        handoff: { to: "end", reason },
      };
    }
  }
  return { kind: "queue", message, ...(decision?.by ? { approvedBy: decision.by } : {}) };
}
