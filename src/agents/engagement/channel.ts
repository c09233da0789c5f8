/**
 * Channel choice: only channels the lead can be reached on and has not opted out of, ranked by how
 * similar leads responded on each (a Beta(1, 1) posterior mean of their wins), with a cadence-dependent
 * preference breaking ties and deciding when there is no evidence.
 */
import type { LeadInput } from "../../db/lead-input.js";
import { emailClosedByActivity } from "./activity.js";
import { channelEvidence, type SimilarEpisode } from "./context.js";
import type { Cadence, Channel } from "./templates.js";

export interface ChannelOptions {
  cadence?: Cadence;
  similar?: readonly SimilarEpisode[];
  /** Channels recorded as suppressed for this lead ("all" after an unsubscribe). */
  suppressed?: readonly (Channel | "all")[];
  /** A consented mobile number: SMS is never chosen without one. */
  smsNumber?: string | undefined;
}

export interface ChannelChoice {
  channel: Channel | null;
  reason: string;
  /** Every permitted channel, best first, with its evidence: shown so the choice can be audited. */
  ranked: { channel: Channel; score: number; evidence: string }[];
}

// Email first everywhere (cheap, expected, carries the most); SMS is for leads ready to talk now, and
// too intrusive for nurture; LinkedIn suits a slower pace.
const preference: Record<Cadence, Channel[]> = {
  now: ["email", "sms", "linkedin"],
  nurture: ["email", "linkedin", "sms"],
};

/** Evidence counts only once there is some: fewer similar episodes than this and preference decides. */
const MIN_EPISODES = 3;

function blockedReason(channel: Channel, lead: LeadInput, options: ChannelOptions): string | null {
  const suppressed = options.suppressed ?? [];
  if (suppressed.includes("all")) return "lead asked to stop on every channel";
  if (suppressed.includes(channel)) return `${channel} suppressed for this lead`;
  if (channel === "email") {
    if (lead.doNotEmail) return "email opted out";
    if (!lead.email) return "no email address";
    const closed = emailClosedByActivity(lead.lastActivity);
    if (closed) return closed;
  }
  if (channel === "linkedin" && !lead.company && !lead.title) return "no company or title for LinkedIn";
  if (channel === "sms" && !options.smsNumber) return "no consented mobile number";
  return null;
}

export function chooseChannel(lead: LeadInput, options: ChannelOptions = {}): ChannelChoice {
  const cadence = options.cadence ?? "now";
  const evidence = channelEvidence(options.similar ?? []);
  const blocked: string[] = [];
  const ranked = preference[cadence].flatMap((channel, order) => {
    const why = blockedReason(channel, lead, options);
    if (why) {
      blocked.push(`${channel}: ${why}`);
      return [];
    }
    const e = evidence.get(channel);
    const informative = e !== undefined && e.n >= MIN_EPISODES;
    const mean = informative ? (e.wins + 1) / (e.n + 2) : 0;
    return [
      {
        channel,
        // Evidence first; the preference order only breaks ties (its weight is below any posterior gap).
        score: mean - order * 1e-3,
        evidence: informative
          ? `${e.wins}/${e.n} similar leads responded (posterior mean ${mean.toFixed(2)})`
          : `no evidence yet; ${cadence} preference #${order + 1}`,
      },
    ];
  });
  ranked.sort((a, b) => b.score - a.score);
  const best = ranked[0];
  if (!best) return { channel: null, reason: `no permitted channel: ${blocked.join("; ")}`, ranked };
  // The channels ruled out are part of the reason: "why not email?" is the first question a reviewer asks.
  const excluded = blocked.length > 0 ? ` (ruled out: ${blocked.join("; ")})` : "";
  return { channel: best.channel, reason: `${best.channel}: ${best.evidence}${excluded}`, ranked };
}
