import type { ChannelAdapter, ChannelMessage, ChannelName } from "./adapter.js";
import { ChannelError } from "./errors.js";

/**
 * An adapter that delivers nothing: it records each message in memory and answers with a made-up
 * provider id. The default in tests and development, so nothing ever leaves the system there. `failures`
 * scripts errors for the next calls, to exercise the dispatcher's retries.
 */
export class RecordingChannelAdapter implements ChannelAdapter {
  readonly sent: ChannelMessage[] = [];
  private readonly failures: Error[] = [];

  constructor(readonly channel: ChannelName) {}

  /** The next `send` calls throw these, in order, before succeeding again. */
  failNext(...errors: Error[]): this {
    this.failures.push(...errors);
    return this;
  }

  async send(message: ChannelMessage): Promise<{ providerId: string }> {
    const failure = this.failures.shift();
    if (failure) throw failure;
    if (message.channel === "email" && !message.to.email) {
      throw new ChannelError("no_recipient", `lead ${message.to.leadId ?? "(none)"} has no email address`);
    }
    this.sent.push(message);
    return { providerId: `recorded-${this.channel}-${message.outboxId}` };
  }
}

/** An adapter for every channel that drops messages on the floor (after recording them). */
export function nullChannelAdapters(): RecordingChannelAdapter[] {
  return [
    new RecordingChannelAdapter("email"),
    new RecordingChannelAdapter("sms"),
    new RecordingChannelAdapter("linkedin"),
  ];
}
