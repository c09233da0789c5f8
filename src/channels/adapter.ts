/**
 * The contract between the outbox and whatever actually delivers a message (an email API, an SMS
 * gateway, LinkedIn). An adapter only translates one message into one provider call; retries, suppression
 * and bookkeeping are the dispatcher's, so every adapter gets them alike.
 */
export const ChannelNames = ["email", "sms", "linkedin"] as const;
export type ChannelName = (typeof ChannelNames)[number];

/** One approved message, with the recipient's contact details looked up at send time. */
export interface ChannelMessage {
  outboxId: number;
  tenantId: string;
  /** Pass to the provider where it supports one: a retried send is then delivered at most once. */
  idempotencyKey: string;
  channel: ChannelName;
  variantId: string;
  to: { leadId: string | null; name: string | null; email: string | null };
  subject: string | null;
  body: string;
}

export interface ChannelAdapter {
  readonly channel: ChannelName;
  /**
   * Delivers the message, resolving with the provider's id for it.
   * @throws {ChannelError} `unavailable` for transient failures (retried), `rejected` or `no_recipient` for
   *   permanent ones. Any other error is treated as transient.
   */
  send(message: ChannelMessage): Promise<{ providerId: string }>;
}
