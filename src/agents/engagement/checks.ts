/**
 * The checks every draft must pass before it can be queued, whoever wrote it (template, model or a
 * person editing it at approval): pure functions, so the eval harness and the send step run the same code.
 */
import Sentiment from "sentiment";
import type { LeadInput } from "../../db/lead-input.js";
import { defaultEngagementPolicy, type EngagementPolicy, type GroundingFact } from "./context.js";
import { type Claim, groundingProblems } from "./grounding.js";
import { type Channel, maxBodyLength, maxSubjectLength, optOutText } from "./templates.js";

export type DraftCheckName = "slots" | "length" | "compliance" | "privacy" | "links" | "tone" | "grounding";

export interface DraftCheck {
  name: DraftCheckName;
  passed: boolean;
  detail: string;
}

/** What a check looks at: the message and the claims it cites. */
export interface CheckedMessage {
  channel: Channel;
  subject?: string;
  body: string;
  claims?: readonly Claim[];
}

export interface CheckContext {
  facts?: readonly GroundingFact[];
  policy?: Pick<EngagementPolicy, "allowedLinkHosts">;
}

/** A slot left in the text: `{name}`, or `{name|stand-in}`. */
const slotPattern = /\{\w+(?:\|[^{}]*)?\}/g;
const emailPattern = /[\w.+-]+@[\w-]+\.[\w.-]+/g;
// Phone numbers: North American 3-3-4 groups, or an international "+" prefix with digit groups.
const phonePattern = /\(?\b\d{3}\)?[\s.-]\d{3}[\s.-]\d{4}\b|\+\d{1,3}[\s.-]?\d{2,4}(?:[\s.-]?\d{2,4}){2,4}/g;
const markdownImage = /!\[[^\]]*\]\([^)]*\)/g;
const urlPattern = /\bhttps?:\/\/[^\s)>\]"']+|\bwww\.[^\s)>\]"']+/gi;
const htmlTag = /<\s*(img|a|script|iframe)\b/i;
const pressure =
  /\b(act now|limited time|last chance|urgent|buy now|click here|100% free|risk[- ]free|once in a lifetime|don't miss out|guaranteed)\b/i;
const lexicon = new Sentiment();

/** Host names of every link in `text`, lower-cased. Unparseable links come back as the raw text. */
export function linkHosts(text: string): string[] {
  return (text.match(urlPattern) ?? []).map((raw) => {
    try {
      return new URL(raw.startsWith("www.") ? `https://${raw}` : raw).hostname.toLowerCase();
    } catch {
      return raw;
    }
  });
}

function hostAllowed(host: string, allowed: readonly string[]): boolean {
  return allowed.some((a) => host === a.toLowerCase() || host.endsWith(`.${a.toLowerCase()}`));
}

function check(name: DraftCheckName, passed: boolean, ok: string, failed: string): DraftCheck {
  return { name, passed, detail: passed ? ok : failed };
}

/** Runs every check on a message for `lead`; a draft is sendable only when all pass. */
export function checkDraft(
  message: CheckedMessage,
  lead: LeadInput,
  context: CheckContext = {},
): DraftCheck[] {
  const text = `${message.subject ?? ""}\n${message.body}`;
  const leftover = text.match(slotPattern);
  const limit = maxBodyLength[message.channel];
  const subjectTooLong = (message.subject?.length ?? 0) > maxSubjectLength;
  const foreignEmails = (text.match(emailPattern) ?? []).filter(
    (e) => e.toLowerCase() !== lead.email?.toLowerCase(),
  );
  const phones = text.match(phonePattern) ?? [];
  const images = text.match(markdownImage) ?? [];
  const allowed = context.policy?.allowedLinkHosts ?? defaultEngagementPolicy.allowedLinkHosts;
  const badHosts = linkHosts(text).filter((h) => !hostAllowed(h, allowed));
  const optOut = optOutText[message.channel].trim();
  const shouting = (text.match(/\b[A-Z]{5,}\b/g) ?? []).filter((w) => w !== "STOP");
  const exclamations = (text.match(/!/g) ?? []).length;
  const mood = lexicon.analyze(message.body).comparative;
  const pushy = text.match(pressure);
  const grounding = groundingProblems(text, message.claims ?? [], lead, context.facts ?? []);
  return [
    check("slots", !leftover, "all slots filled", `unfilled: ${leftover?.join(", ")}`),
    check(
      "length",
      message.body.length <= limit && !subjectTooLong,
      `${message.body.length}/${limit} characters`,
      subjectTooLong
        ? `subject ${message.subject?.length}/${maxSubjectLength} characters`
        : `${message.body.length}/${limit} characters`,
    ),
    check(
      "compliance",
      optOut === "" || message.body.includes(optOut),
      optOut === "" ? "no opt-out text required" : `${message.channel} carries its opt-out text`,
      `${message.channel} must carry its opt-out text: "${optOut}"`,
    ),
    check(
      "privacy",
      foreignEmails.length === 0 && phones.length === 0,
      "no third-party personal data",
      foreignEmails.length > 0
        ? `mentions other people's addresses: ${foreignEmails.length}`
        : `mentions phone numbers: ${phones.length}`,
    ),
    check(
      "links",
      images.length === 0 && badHosts.length === 0 && !htmlTag.test(text),
      "no links outside the allowlist",
      images.length > 0
        ? `embeds an image (${images.length}): markdown images are never sent`
        : badHosts.length > 0
          ? `links to hosts not on the allowlist: ${[...new Set(badHosts)].join(", ")}`
          : "contains HTML tags",
    ),
    check(
      "tone",
      shouting.length === 0 && exclamations <= 1 && !pushy && mood >= -0.25,
      "courteous, no pressure",
      shouting.length > 0
        ? `shouting: ${shouting.slice(0, 3).join(", ")}`
        : exclamations > 1
          ? `${exclamations} exclamation marks`
          : pushy
            ? `pressure phrase: "${pushy[0]}"`
            : `negative wording (sentiment ${mood.toFixed(2)} per word)`,
    ),
    check(
      "grounding",
      grounding.length === 0,
      `${message.claims?.length ?? 0} claim(s), each traced to its source`,
      grounding.map((p) => p.detail).join("; "),
    ),
  ];
}

export const failedChecks = (checks: readonly DraftCheck[]) => checks.filter((c) => !c.passed);

/** "length (301/300 characters); links (…)": why a draft was rejected, in one line. */
export function rejectionReason(checks: readonly DraftCheck[]): string {
  return failedChecks(checks)
    .map((c) => `${c.name} (${c.detail})`)
    .join("; ");
}
