/**
 * The offline template library. A slot is `{name}`; a template is only used when every slot it names can
 * be filled from what we know, so a draft never states something we have no record of. `{name|words}`
 * is a slot with a stand-in: the words are used when the lead has no value, and are written so the
 * sentence reads the same either way ("for {company|your team}", "Hi {firstName|there}"). Lead slots come
 * from the lead's fields; `{fact}` is a stored product or company fact, quoted whole and cited. Every
 * channel and cadence has templates that need no lead field at all, so a lead missing its optional
 * fields still gets natural drafts (see `draft.test.ts`).
 */
export const Channels = ["email", "linkedin", "sms"] as const;
export type Channel = (typeof Channels)[number];

export type Cadence = "now" | "nurture";

export interface Template {
  id: string;
  channel: Channel;
  cadence: Cadence;
  subject?: string;
  body: string;
}

export const templates: readonly Template[] = [
  {
    id: "email-now-activity",
    channel: "email",
    cadence: "now",
    subject: "{firstName}, a quick follow-up",
    body: "Hi {firstName},\n\nI noticed your recent activity ({lastActivity}) and wanted to reach out personally. Would a 20-minute call this week help you decide whether we are a fit for {company|your team}?\n\nBest regards",
  },
  {
    id: "email-now-role",
    channel: "email",
    cadence: "now",
    subject: "For {company}'s {title}",
    body: "Hi {firstName|there},\n\nAs {title} at {company}, you are probably weighing a few options right now. I'd be glad to walk you through how teams like yours use us, in a short call at a time that suits you.\n\nBest regards",
  },
  {
    id: "email-now-question",
    channel: "email",
    cadence: "now",
    subject: "One question, {firstName}",
    body: "Hi {firstName},\n\nWhat is the one thing you would need to see to move forward? Reply with a line and I will send exactly that, nothing more.\n\nBest regards",
  },
  {
    id: "email-nurture-source",
    channel: "email",
    cadence: "nurture",
    subject: "Since you found us via {source}",
    body: "Hi {firstName|there},\n\nThanks for finding us via {source}. Here is a short guide that answers the questions people ask most at this stage. No rush: reply whenever it is useful.\n\nBest regards",
  },
  {
    id: "email-nurture-company",
    channel: "email",
    cadence: "nurture",
    subject: "Ideas for {company}",
    body: "Hi {firstName|there},\n\nI put together a few ideas on how {company} could get started. Would it help if I sent them over?\n\nBest regards",
  },
  {
    id: "email-nurture-plain",
    channel: "email",
    cadence: "nurture",
    subject: "Checking in",
    body: "Hello,\n\nJust checking in: if you have questions, reply to this email and you will reach a person.\n\nBest regards",
  },
  {
    id: "email-now-plain",
    channel: "email",
    cadence: "now",
    subject: "A quick question",
    body: "Hello,\n\nThanks for your interest. Would a short call this week be useful? Reply with a time that suits you.\n\nBest regards",
  },
  {
    id: "email-now-fact",
    channel: "email",
    cadence: "now",
    subject: "{firstName}, one thing worth knowing",
    body: "Hi {firstName},\n\nOne thing teams at your stage often ask about: {fact}\n\nWould a short call this week help you see whether that matters for {company|your team}?\n\nBest regards",
  },
  {
    id: "email-nurture-fact",
    channel: "email",
    cadence: "nurture",
    subject: "Something useful for {company|your team}",
    body: "Hi {firstName|there},\n\nA short note you may find useful: {fact}\n\nNo rush: reply whenever it helps.\n\nBest regards",
  },
  {
    id: "linkedin-now-role",
    channel: "linkedin",
    cadence: "now",
    body: "Hi {firstName|there}, I work with teams like {company}'s and would value connecting. Open to a short chat?",
  },
  {
    id: "linkedin-now-title",
    channel: "linkedin",
    cadence: "now",
    body: "Hi {firstName|there}, as {title} you are probably weighing a few options right now. I'd value connecting: open to a short chat?",
  },
  {
    id: "linkedin-now-plain",
    channel: "linkedin",
    cadence: "now",
    body: "Hi {firstName|there}, thanks for your interest. I'd value connecting: open to a short chat this week?",
  },
  {
    id: "linkedin-nurture-plain",
    channel: "linkedin",
    cadence: "nurture",
    body: "Hi {firstName|there}, thanks for your interest. Happy to connect and share resources whenever useful.",
  },
  {
    id: "linkedin-now-fact",
    channel: "linkedin",
    cadence: "now",
    body: "Hi {firstName|there}, a quick note for {company|your team}: {fact} Open to a short chat?",
  },
  {
    id: "sms-now-plain",
    channel: "sms",
    cadence: "now",
    body: "Hi {firstName|there}, thanks for your interest. Free for a 15-min call this week?",
  },
  {
    id: "sms-nurture-plain",
    channel: "sms",
    cadence: "nurture",
    body: "Hi {firstName|there}, checking in: reply here with any questions.",
  },
];

/** Limits per channel, in characters of the body. LinkedIn connection notes allow 300. */
export const maxBodyLength: Record<Channel, number> = { email: 1_500, linkedin: 300, sms: 160 };

export const unsubscribeFooter =
  "\n\n--\nTo stop receiving these emails, reply STOP or use the unsubscribe link.";

/** Every marketing SMS says how to opt out (CTIA messaging principles; "STOP" is the keyword carriers honour). */
export const smsOptOut = " Reply STOP to opt out.";

/** The opt-out text a channel's messages must end with, if any. */
export const optOutText: Record<Channel, string> = { email: unsubscribeFooter, sms: smsOptOut, linkedin: "" };

/** Longest email subject line; longer ones are cut off by most clients. */
export const maxSubjectLength = 120;
