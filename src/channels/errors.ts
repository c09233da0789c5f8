/** Why a message did not go out. A closed set, so the dispatcher maps each code to retry or give up once. */
export const ChannelErrorCode = {
  /** The lead asked to stop (or the channel is suppressed for them): never retried. */
  Suppressed: "suppressed",
  /** No adapter is configured for the message's channel. */
  NoAdapter: "no_adapter",
  /** The lead has no address on this channel. */
  NoRecipient: "no_recipient",
  /** The provider refused the message (invalid address, content policy): retrying will not help. */
  Rejected: "rejected",
  /** The provider could not be reached or failed transiently (5xx, timeout, rate limit): retried. */
  Unavailable: "unavailable",
} as const;
export type ChannelErrorCode = (typeof ChannelErrorCode)[keyof typeof ChannelErrorCode];

const retryable: ReadonlySet<ChannelErrorCode> = new Set([ChannelErrorCode.Unavailable]);

export class ChannelError extends Error {
  constructor(
    readonly code: ChannelErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "ChannelError";
  }

  get retryable(): boolean {
    return retryable.has(this.code);
  }
}
