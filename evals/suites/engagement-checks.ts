import { type Draft, slotValues } from "../../src/agents/engagement/draft.js";
import { maxBodyLength, optOutText, templates } from "../../src/agents/engagement/templates.js";
import type { LeadInput } from "../../src/db/lead-input.js";

/**
 * Independent checks on drafts, pure. They do not trust the drafts' own `checks` (that is the code under
 * test): grounding is re-derived from the text, compliance and length from the channel's rules.
 *
 * Grounding, precisely: a *lead-specific token* is any field value of any lead in the pool (first name,
 * full name, company, title, source, last activity) that does not occur in the template library's own
 * wording. Every such token found in a draft must be a value of one of the fields the draft claims in
 * `groundedOn`, for this lead; and every claimed field's value must appear. So a draft cannot mention
 * another lead's company, nor claim personalization it does not have. A cited stored fact (`fact:<id>`)
 * counts as backed when the draft's claim citing it appears word for word.
 */

/** The lead fields drafts may draw on, as named in `groundedOn`. */
const FIELDS = ["name", "company", "title", "source", "lastActivity"] as const;
type Field = (typeof FIELDS)[number];

/** The values of a lead's fields as they can appear in a draft (the first name is what templates use). */
export function fieldValues(lead: LeadInput): Record<Field, string[]> {
  const slots = slotValues(lead);
  return {
    name: [slots.firstName, lead.name].filter((v): v is string => Boolean(v)),
    company: lead.company ? [lead.company] : [],
    title: lead.title ? [lead.title] : [],
    source: lead.source ? [lead.source] : [],
    lastActivity: lead.lastActivity ? [lead.lastActivity] : [],
  };
}

const templateWording = templates
  // A slot is not the template's wording, but a slot's stand-in words ("{company|your team}") are.
  .map((t) =>
    `${t.subject ?? ""}\n${t.body}`.replace(/\{\w+(?:\|([^{}]*))?\}/g, (_, words = "") => ` ${words} `),
  )
  .join("\n")
  .concat(...Object.values(optOutText))
  .toLowerCase();

const escapeRegExp = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
const mentions = (text: string, value: string) =>
  new RegExp(`(^|[^\\p{L}\\p{N}])${escapeRegExp(value)}($|[^\\p{L}\\p{N}])`, "iu").test(text);

/** Every lead-specific token of the pool: values of 3+ characters that the templates do not say themselves. */
export function leadVocabulary(leads: readonly LeadInput[]): string[] {
  const vocabulary = new Set<string>();
  for (const lead of leads) {
    for (const values of Object.values(fieldValues(lead))) {
      for (const value of values) {
        const v = value.trim();
        if (v.length >= 3 && !mentions(templateWording, v)) vocabulary.add(v.toLowerCase());
      }
    }
  }
  return [...vocabulary].sort();
}

export interface DraftAudit {
  variantId: string;
  channel: Draft["channel"];
  length: number;
  limit: number;
  /** Uses at least one lead field. */
  personalized: boolean;
  /** Lead-specific tokens in the text that no claimed field of this lead accounts for. */
  untraced: string[];
  /** Claimed fields whose value is not in the text. */
  unbacked: string[];
  /** Ends with the channel's opt-out text: the unsubscribe footer on email, "Reply STOP" on SMS. */
  compliant: boolean;
}

export function auditDraft(draft: Draft, lead: LeadInput, vocabulary: readonly string[]): DraftAudit {
  const text = `${draft.subject ?? ""}\n${draft.body}`;
  const values = fieldValues(lead);
  const claimed = draft.groundedOn.filter((f): f is Field => (FIELDS as readonly string[]).includes(f));
  const traced = new Set(claimed.flatMap((f) => values[f].map((v) => v.toLowerCase())));
  // A token inside a longer traced value ("olark chat" inside the activity "olark chat conversation") is
  // that value's text, not a separate claim.
  const covered = (token: string) =>
    traced.has(token) || [...traced].some((v) => v.includes(token) && mentions(text, v));
  const untraced = vocabulary.filter((token) => mentions(text, token) && !covered(token));
  const factBacked = (source: string) =>
    draft.claims.some((c) => c.source === source && text.includes(c.text.trim()));
  const unbacked = [
    ...draft.groundedOn.filter(
      (f) => !(FIELDS as readonly string[]).includes(f) && !(f.startsWith("fact:") && factBacked(f)),
    ),
    ...claimed.filter((f) => !values[f].some((v) => mentions(text, v))),
  ];
  const limit = maxBodyLength[draft.channel];
  return {
    variantId: draft.variantId,
    channel: draft.channel,
    length: draft.body.length,
    limit,
    personalized: draft.groundedOn.length > 0,
    untraced,
    unbacked,
    compliant: draft.body.trimEnd().endsWith(optOutText[draft.channel].trim()),
  };
}

export const isGrounded = (a: DraftAudit) => a.untraced.length === 0 && a.unbacked.length === 0;
