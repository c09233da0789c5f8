/**
 * What the engagement agent knows beyond the lead: stored facts it may state (semantic memory: product
 * and company facts) and what worked for similar leads (episodic memory). The memory layer fills these;
 * the agent only reads them, and treats every string in them as untrusted data (OWASP LLM01: retrieved
 * text can carry planted instructions), so nothing here is ever followed, only quoted and checked.
 */
import type { Channel } from "./templates.js";

/** A stored fact a draft may state. `id` is what a claim cites: `fact:<id>`. */
export interface GroundingFact {
  id: string;
  statement: string;
  /** What the fact is about, e.g. "product", "company", "person": facts about people are never quoted. */
  kind?: string;
  /** Where the fact came from (document, URL, person who entered it): shown, never followed. */
  source?: string;
}

/** One interaction with a similar lead and how it went: the evidence behind channel and template order. */
export interface SimilarEpisode {
  channel?: string | null;
  variantId?: string | null;
  /** 1 for a success (reply, meeting, conversion), 0 for none; values in between are partial credit. */
  reward: number;
}

export interface EngagementMemory {
  facts: GroundingFact[];
  similar: SimilarEpisode[];
}

export const noMemory: EngagementMemory = { facts: [], similar: [] };

/** Rules every draft is held to; the defaults suit a deployment that has configured nothing. */
export interface EngagementPolicy {
  /**
   * Hosts a draft may link to (exact or parent domain: "example.com" allows "www.example.com"). Empty by
   * default: a draft with any link is rejected until someone decides which sites the company links to.
   */
  allowedLinkHosts: readonly string[];
  /** Drafts per channel and cadence the LLM is asked for. */
  variantsPerDraft: number;
  /** A consented mobile number for SMS; SMS is never chosen without one. */
  smsNumber?: string | undefined;
}

export const defaultEngagementPolicy: EngagementPolicy = { allowedLinkHosts: [], variantsPerDraft: 3 };

/** Facts the agent may quote, and the ones it set aside with the reason (shown in the result). */
export interface FactSelection {
  usable: GroundingFact[];
  ignored: { id: string; reason: string }[];
}

const instructionLike =
  /\b(ignore|disregard|forget)\b.{0,40}\b(instructions?|rules?|prompt|above|previous)\b|\b(system prompt|you are now|act as)\b/i;
const linkLike = /\]\(|https?:\/\/|\bwww\.|<\s*(img|a|script)\b/i;
const slotLike = /\{\w+\}/;

/**
 * Sets aside facts that look like instructions, carry links or template slots, or are about people:
 * defence in depth before the checks, which would reject any draft quoting them anyway.
 */
export function selectFacts(facts: readonly GroundingFact[], maxLength = 240): FactSelection {
  const usable: GroundingFact[] = [];
  const ignored: { id: string; reason: string }[] = [];
  for (const fact of facts) {
    const reason =
      fact.kind === "person"
        ? "about a person: never quoted to someone else"
        : instructionLike.test(fact.statement)
          ? "reads like an instruction, not a fact"
          : linkLike.test(fact.statement)
            ? "carries a link or markup"
            : slotLike.test(fact.statement)
              ? "carries a template slot"
              : fact.statement.length > maxLength
                ? `longer than ${maxLength} characters`
                : null;
    if (reason) ignored.push({ id: fact.id, reason });
    else usable.push(fact);
  }
  return { usable, ignored };
}

/** Successes and trials per channel among similar leads' episodes. */
export function channelEvidence(
  similar: readonly SimilarEpisode[],
): Map<Channel, { wins: number; n: number }> {
  const byChannel = new Map<Channel, { wins: number; n: number }>();
  for (const episode of similar) {
    const channel = episode.channel;
    if (channel !== "email" && channel !== "sms" && channel !== "linkedin") continue;
    const entry = byChannel.get(channel) ?? { wins: 0, n: 0 };
    entry.wins += Math.min(1, Math.max(0, episode.reward));
    entry.n += 1;
    byChannel.set(channel, entry);
  }
  return byChannel;
}
