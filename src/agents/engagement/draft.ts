import type { LeadInput } from "../../db/lead-input.js";
import {
  type Cadence,
  type Channel,
  maxBodyLength,
  type Template,
  templates,
  unsubscribeFooter,
} from "./templates.js";

export interface DraftCheck {
  name: "slots" | "length" | "compliance" | "privacy";
  passed: boolean;
  detail: string;
}

export interface Draft {
  /** Stable id of the variant: the template it came from. */
  variantId: string;
  channel: Channel;
  subject?: string;
  body: string;
  /** Lead fields the draft's personal details came from: everything it says about the lead traces here. */
  groundedOn: string[];
  checks: DraftCheck[];
}

const slotPattern = /\{(\w+)\}/g;

/** The values a template may use, only from fields the lead actually has. */
export function slotValues(lead: LeadInput): Record<string, string> {
  const values: Record<string, string> = {};
  const firstName = lead.name?.trim().split(/\s+/)[0];
  if (firstName) values.firstName = firstName;
  if (lead.company) values.company = lead.company;
  if (lead.title) values.title = lead.title;
  if (lead.source) values.source = lead.source;
  if (lead.lastActivity) values.lastActivity = lead.lastActivity.toLowerCase();
  return values;
}

const slotField: Record<string, string> = { firstName: "name", lastActivity: "lastActivity" };

function fill(
  text: string,
  values: Record<string, string>,
): { text: string; used: string[]; missing: string[] } {
  const used = new Set<string>();
  const missing = new Set<string>();
  const filled = text.replace(slotPattern, (whole, slot: string) => {
    const value = values[slot];
    if (value === undefined) {
      missing.add(slot);
      return whole;
    }
    used.add(slotField[slot] ?? slot);
    return value;
  });
  return { text: filled, used: [...used], missing: [...missing] };
}

/** Checks every draft must pass before it can be sent. Pure, so the eval harness runs the same checks. */
export function checkDraft(draft: Omit<Draft, "checks">, lead: LeadInput): DraftCheck[] {
  const text = `${draft.subject ?? ""}\n${draft.body}`;
  const leftover = text.match(slotPattern);
  const emails = text.match(/[\w.+-]+@[\w-]+\.[\w.-]+/g) ?? [];
  const foreign = emails.filter((e) => e.toLowerCase() !== lead.email?.toLowerCase());
  const limit = maxBodyLength[draft.channel];
  return [
    {
      name: "slots",
      passed: !leftover,
      detail: leftover ? `unfilled: ${leftover.join(", ")}` : "all slots filled",
    },
    {
      name: "length",
      passed: draft.body.length <= limit,
      detail: `${draft.body.length}/${limit} characters`,
    },
    {
      name: "compliance",
      passed: draft.channel !== "email" || draft.body.includes(unsubscribeFooter.trim()),
      detail: draft.channel === "email" ? "email carries the unsubscribe footer" : "no footer required",
    },
    {
      name: "privacy",
      passed: foreign.length === 0,
      detail: foreign.length
        ? `mentions other people's addresses: ${foreign.length}`
        : "no third-party personal data",
    },
  ];
}

/** Drafts every template of the channel and cadence whose slots this lead can fill. */
export function draftVariants(lead: LeadInput, channel: Channel, cadence: Cadence): Draft[] {
  const values = slotValues(lead);
  const candidates = templates.filter((t) => t.channel === channel && t.cadence === cadence);
  return candidates.flatMap((template: Template) => {
    const body = fill(template.body, values);
    const subject = template.subject === undefined ? undefined : fill(template.subject, values);
    if (body.missing.length > 0 || (subject?.missing.length ?? 0) > 0) return [];
    const draft = {
      variantId: template.id,
      channel,
      ...(subject ? { subject: subject.text } : {}),
      body: channel === "email" ? body.text + unsubscribeFooter : body.text,
      groundedOn: [...new Set([...body.used, ...(subject?.used ?? [])])].sort(),
    };
    return [{ ...draft, checks: checkDraft(draft, lead) }];
  });
}

/** Email unless the lead opted out of it; then LinkedIn when we know where they work. */
export function chooseChannel(lead: LeadInput): { channel: Channel | null; reason: string } {
  if (!lead.doNotEmail && lead.email)
    return { channel: "email", reason: "lead has an email address and allows email" };
  if (lead.company || lead.title)
    return { channel: "linkedin", reason: "email not allowed; LinkedIn via company/title" };
  return {
    channel: null,
    reason: "no permitted channel: email opted out and no company or title for LinkedIn",
  };
}
