import { z } from "zod";
import type { LeadInput } from "../../db/lead-input.js";
import type { HandoffDecision } from "../handoff.js";

export const LeadClasses = ["hot", "warm", "cold", "disqualified"] as const;
export type LeadClass = (typeof LeadClasses)[number];

/** Probability cut-offs for the classes; `hot >= warm` is enforced. Configurable per run. */
export const TriagePolicy = z
  .object({
    hotThreshold: z.number().min(0).max(1).default(0.7),
    warmThreshold: z.number().min(0).max(1).default(0.4),
    /** Email domains that never convert (disposable inboxes, competitors). Matched case-insensitively. */
    blockedDomains: z
      .array(z.string().min(1))
      .default(["mailinator.com", "guerrillamail.com", "10minutemail.com"]),
    /**
     * How close to a threshold the model's probability must be for the LLM path to move the class one
     * step across it (see `combine.ts`). 0 means an LLM never changes a class.
     */
    llmAdjustmentBand: z.number().min(0).max(1).default(0.15),
  })
  .refine((p) => p.hotThreshold >= p.warmThreshold, { message: "hotThreshold must be >= warmThreshold" });
export type TriagePolicy = z.infer<typeof TriagePolicy>;

export const defaultTriagePolicy: TriagePolicy = TriagePolicy.parse({});

// Phrases in a lead's notes that mean "do not pursue"; kept short and literal so a reviewer can audit them.
const optOutPhrases = [
  /\bnot interested\b/i,
  /\bstop (contacting|emailing)\b/i,
  /\bunsubscribe\b/i,
  /\bwrong (person|number)\b/i,
];

/** The rule-based reasons a lead is out, whatever its score. Empty when the lead may be pursued. */
export function disqualificationReasons(lead: LeadInput, policy: TriagePolicy): string[] {
  const reasons: string[] = [];
  const domain = lead.email?.split("@")[1]?.toLowerCase();
  if (domain && policy.blockedDomains.some((d) => d.toLowerCase() === domain)) {
    reasons.push(`email domain ${domain} is on the blocked list`);
  }
  if (lead.doNotEmail && !lead.email && !lead.name) reasons.push("opted out of email with no other contact");
  const phrase = lead.notes && optOutPhrases.find((p) => p.test(lead.notes ?? ""));
  if (phrase) reasons.push(`notes say the lead opted out ("${lead.notes?.match(phrase)?.[0]}")`);
  return reasons;
}

export function classify(probability: number, disqualified: boolean, policy: TriagePolicy): LeadClass {
  if (disqualified) return "disqualified";
  if (probability >= policy.hotThreshold) return "hot";
  if (probability >= policy.warmThreshold) return "warm";
  return "cold";
}

/** Where each class goes and what happens there. */
export const routeActions = {
  hot: { to: "engagement", action: "personal outreach now" },
  warm: { to: "engagement", action: "nurture outreach" },
  cold: { to: "optimization", action: "enrol in a nurture campaign" },
  disqualified: { to: "end", action: "no outreach" },
} as const satisfies Record<LeadClass, { to: HandoffDecision["to"]; action: string }>;

/** hot → engagement now, warm → engagement nurture, cold → optimization (nurture campaign), disqualified → end. */
export function routeFor(leadClass: LeadClass, probability: number, policy: TriagePolicy): HandoffDecision {
  const p = probability.toFixed(2);
  const { to, action } = routeActions[leadClass];
  switch (leadClass) {
    case "hot":
      return { to, reason: `hot lead (p=${p} ≥ ${policy.hotThreshold}): ${action}` };
    case "warm":
      return {
        to,
        reason: `warm lead (${policy.warmThreshold} ≤ p=${p} < ${policy.hotThreshold}): ${action}`,
      };
    case "cold":
      return { to, reason: `cold lead (p=${p} < ${policy.warmThreshold}): ${action}` };
    case "disqualified":
      return { to, reason: `disqualified: ${action}` };
  }
}
