/**
 * A lead's segment: the population whose outcomes the bandit pools. The default is the acquisition source
 * and the triage class ("reference/hot"): both are known before the first message, both change what works
 * (a hot referral wants a call, a cold ad click wants a guide), and together they stay few enough for each
 * segment to gather evidence. Deployments with a better rule pass their own.
 */
export interface SegmentInput {
  source?: string | null;
  class?: string | null;
}

export type SegmentRule = (lead: SegmentInput) => string;

export const defaultSegmentOf: SegmentRule = (lead) =>
  `${slug(lead.source) ?? "unknown-source"}/${slug(lead.class) ?? "unscored"}`;

/** "Olark Chat" → "olark-chat"; empty → null. */
export function slug(text: string | null | undefined): string | null {
  const s = (text ?? "")
    .normalize("NFKD")
    .replace(/\p{M}+/gu, "")
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, "-")
    .replace(/^-+|-+$/g, "");
  return s === "" ? null : s;
}
