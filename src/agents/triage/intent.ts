import type { HandoffDecision } from "../handoff.js";

/**
 * Offline intent routing for a free-text message with no lead attached. Literal keyword rules, so the
 * route's reason can name the words that decided it.
 */
const rules: { to: HandoffDecision["to"]; label: string; pattern: RegExp }[] = [
  {
    to: "optimization",
    label: "campaign analysis",
    pattern:
      /\b(campaigns?|a\/b|ab test|split test|variants?|budget|ctr|conversion rates?|bandit|forecast|allocat\w*)\b/gi,
  },
  {
    to: "engagement",
    label: "outreach or a reply",
    pattern:
      /\b(email|sms|linkedin|write|draft|follow[- ]?up|outreach|reply|replied|message|unsubscribe|meeting)\b/gi,
  },
];

export function routeMessage(message: string): HandoffDecision {
  const scored = rules
    .map((rule) => ({
      rule,
      hits: [...new Set(message.match(rule.pattern)?.map((m) => m.toLowerCase()) ?? [])],
    }))
    .filter((r) => r.hits.length > 0)
    .sort((a, b) => b.hits.length - a.hits.length);
  const best = scored[0];
  if (!best) return { to: "end", reason: "no lead and no recognizable request: nothing to route" };
  return {
    to: best.rule.to,
    reason: `message asks for ${best.rule.label} (matched: ${best.hits.join(", ")})`,
  };
}
