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

/** The activity in lower case when a message may name it, else undefined. */
export function mentionableActivity(value: string | undefined): string | undefined {
  const activity = value?.trim().toLowerCase();
  return activity && LEAD_FACING.has(activity.replace(/\s+/g, " ")) ? activity : undefined;
}
