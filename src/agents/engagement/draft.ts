/**
 * Offline drafting: the template library filled from the lead's fields and the stored facts memory
 * retrieved. Every filled slot becomes a cited claim, so the grounding check can trace each one.
 */
import type { LeadInput } from "../../db/lead-input.js";
import { type ModelLabel, OFFLINE } from "../handoff.js";
import { mentionableActivity } from "./activity.js";
import { type CheckContext, checkDraft, type DraftCheck } from "./checks.js";
import type { GroundingFact, SimilarEpisode } from "./context.js";
import type { Claim } from "./grounding.js";
import { type Cadence, type Channel, optOutText, type Template, templates } from "./templates.js";

export interface Draft {
  /** Stable id of the variant: the template it came from, or the model's numbered variant. */
  variantId: string;
  channel: Channel;
  subject?: string;
  body: string;
  /** Where the draft's statements come from: lead fields ("company") and stored facts ("fact:<id>"). */
  groundedOn: string[];
  /** Each factual statement with the source it cites. */
  claims: Claim[];
  checks: DraftCheck[];
  /** "offline" for templates, else the model that wrote it. */
  model: ModelLabel;
  /** Deterministic fixes applied before checking (e.g. the opt-out text appended). */
  revisions?: string[];
}

/** `{slot}`, or `{slot|words}`: the words stand in when the lead has no value for the slot. */
const slotPattern = /\{(\w+)(?:\|([^{}]*))?\}/g;

/** The values a template may use, only from fields the lead actually has (blank counts as absent). */
export function slotValues(lead: LeadInput): Record<string, string> {
  const values: Record<string, string> = {};
  const known = (value: string | undefined) => value?.trim() || undefined;
  const firstName = known(lead.name)?.split(/\s+/)[0];
  if (firstName) values.firstName = firstName;
  const company = known(lead.company);
  if (company) values.company = company;
  const title = known(lead.title);
  if (title) values.title = title;
  const source = known(lead.source);
  if (source) values.source = source;
  const lastActivity = mentionableActivity(lead.lastActivity);
  if (lastActivity) values.lastActivity = lastActivity;
  return values;
}

const slotField: Record<string, string> = { firstName: "name", lastActivity: "lastActivity" };

interface Filled {
  text: string;
  claims: Claim[];
  missing: string[];
}

function fill(text: string, values: Record<string, string>, fact: GroundingFact | undefined): Filled {
  const claims: Claim[] = [];
  const missing = new Set<string>();
  const filled = text.replace(slotPattern, (whole, slot: string, fallback: string | undefined) => {
    if (slot === "fact") {
      if (!fact) {
        missing.add(slot);
        return whole;
      }
      const statement = /[.!?]$/.test(fact.statement.trim())
        ? fact.statement.trim()
        : `${fact.statement.trim()}.`;
      claims.push({ text: statement, source: `fact:${fact.id}` });
      return statement;
    }
    const value = values[slot];
    if (value === undefined) {
      // A stand-in is the template's own words, not a statement about the lead: no claim.
      if (fallback !== undefined) return fallback;
      missing.add(slot);
      return whole;
    }
    claims.push({ text: value, source: `lead:${slotField[slot] ?? slot}` });
    return value;
  });
  return { text: filled, claims, missing: [...missing] };
}

/** Sources a draft cites, for `groundedOn`: lead fields by name, facts as `fact:<id>`. */
export function groundedOnOf(claims: readonly Claim[]): string[] {
  const sources = claims.map((c) => (c.source.startsWith("lead:") ? c.source.slice(5) : c.source));
  return [...new Set(sources)].sort();
}

/** Similar leads' wins per variant as a Beta(1, 1) posterior mean: the order drafts are listed in. */
function similarRate(variantId: string, similar: readonly SimilarEpisode[]): number {
  const mine = similar.filter((e) => e.variantId === variantId);
  const wins = mine.reduce((s, e) => s + Math.min(1, Math.max(0, e.reward)), 0);
  return (wins + 1) / (mine.length + 2);
}

export interface DraftOptions {
  /** Facts memory retrieved, best first, already screened (see `selectFacts`). */
  facts?: readonly GroundingFact[];
  similar?: readonly SimilarEpisode[];
  check?: CheckContext;
}

/**
 * Drafts every template of the channel and cadence whose slots this lead and the facts can fill. Templates
 * that worked for similar leads come first; which one is sent is the optimization agent's choice.
 */
export function draftVariants(
  lead: LeadInput,
  channel: Channel,
  cadence: Cadence,
  options: DraftOptions = {},
): Draft[] {
  const values = slotValues(lead);
  const fact = options.facts?.[0];
  const candidates = templates.filter((t) => t.channel === channel && t.cadence === cadence);
  const drafts = candidates.flatMap((template: Template) => {
    const body = fill(template.body, values, fact);
    const subject = template.subject === undefined ? undefined : fill(template.subject, values, fact);
    if (body.missing.length > 0 || (subject?.missing.length ?? 0) > 0) return [];
    const claims = [...(subject?.claims ?? []), ...body.claims];
    const message = {
      channel,
      ...(subject ? { subject: subject.text } : {}),
      body: body.text + optOutText[channel],
      claims,
    };
    const checkContext = { ...options.check, facts: options.facts ?? options.check?.facts ?? [] };
    return [
      {
        variantId: template.id,
        ...message,
        groundedOn: groundedOnOf(claims),
        checks: checkDraft(message, lead, checkContext),
        model: OFFLINE,
      },
    ];
  });
  const similar = options.similar ?? [];
  if (similar.length === 0) return drafts;
  // A stable sort: templates without evidence keep the library's order.
  return drafts
    .map((d, i) => ({ d, i, rate: similarRate(d.variantId, similar) }))
    .sort((a, b) => b.rate - a.rate || a.i - b.i)
    .map((x) => x.d);
}
