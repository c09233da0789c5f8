import type { OutcomeEventName } from "../../db/schema.js";

/**
 * The reward of each outcome, for episodes: how far along the funnel it got. Negative for outcomes that
 * cost something (an unsubscribe loses the channel for good; a bounce hurts sender reputation).
 */
export const OUTCOME_REWARDS: Readonly<Record<OutcomeEventName, number>> = {
  sent: 0,
  opened: 0.1,
  clicked: 0.3,
  replied: 0.6,
  converted: 1,
  unsubscribed: -0.5,
  bounced: -0.2,
};

/** The events that count as a success of a variant for the bandit, by default: the conversion. */
export const DEFAULT_SUCCESS_EVENTS: readonly OutcomeEventName[] = ["converted"];
