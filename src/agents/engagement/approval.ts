import { z } from "zod";
import type { LeadClass } from "../triage/classify.js";

/** When a human must approve a message before it is queued for sending. */
export const ApprovalPolicy = z.enum(["always", "low-score", "never"]);
export type ApprovalPolicy = z.infer<typeof ApprovalPolicy>;

/** "low-score": anything not hot waits for a person; hot leads go straight to the outbox. */
export function needsApproval(policy: ApprovalPolicy, leadClass: LeadClass | null | undefined): boolean {
  if (policy === "always") return true;
  if (policy === "never") return false;
  return leadClass !== "hot";
}

/** A human's answer to an approval interrupt (`threads.resume`). */
export const ApprovalDecision = z.discriminatedUnion("action", [
  z.object({ action: z.literal("approve") }).strict(),
  z
    .object({
      action: z.literal("edit"),
      subject: z.string().trim().min(1).max(200).optional(),
      body: z.string().trim().min(1).max(5_000),
    })
    .strict(),
  z.object({ action: z.literal("reject"), reason: z.string().trim().min(1).max(500) }).strict(),
]);
export type ApprovalDecision = z.infer<typeof ApprovalDecision>;

/** What happened to the selected message. */
export interface Delivery {
  status: "queued" | "rejected" | "blocked";
  variantId: string;
  outboxId?: number;
  approvedBy?: string;
  reason: string;
}
