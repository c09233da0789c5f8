/**
 * Which CRM "last activity" values a message to the lead may mention: only what the person did knowingly
 * and would expect us to remember (a visit to the website, a form, a chat, a call, a booth visit). Not our
 * own actions ("SMS Sent"), delivery states ("Email Bounced", "Unreachable", "Unsubscribed", "Email Marked
 * Spam") or tracking ("Email Opened", "Email Link Clicked"): "I noticed your recent activity (email marked
 * spam)" or "(email opened)" is worse than a message that says nothing about it.
 */
const LEAD_FACING = new Set([
  "page visited on website",
  "form submitted on website",
  "form submitted",
  "olark chat conversation",
  "had a phone conversation",
  "visited booth in tradeshow",
]);

/** The activity as the lists below spell it: trimmed, lower case, single spaces. */
const normalized = (value: string | undefined) => value?.trim().toLowerCase().replace(/\s+/g, " ");

/** The activity (trimmed, in lower case) when a message may name it, else undefined. */
export function mentionableActivity(value: string | undefined): string | undefined {
  const activity = normalized(value);
  return activity && LEAD_FACING.has(activity) ? value?.trim().toLowerCase() : undefined;
}

/**
 * Last activities that close the email channel whatever the opt-out flag says: CRM exports often carry
 * "Unsubscribed" or "Email Marked Spam" on a lead whose Do Not Email column was never updated, and writing
 * to a bounced address again hurts the sender's reputation for every other lead.
 */
const EMAIL_CLOSED: Record<string, string> = {
  unsubscribed: "last activity says the lead unsubscribed",
  "email marked spam": "the lead marked our email as spam",
  "email bounced": "the last email to this address bounced",
};

/** Why the last activity rules out email, or null. */
export function emailClosedByActivity(value: string | undefined): string | null {
  const activity = normalized(value);
  return (activity && EMAIL_CLOSED[activity]) || null;
}
