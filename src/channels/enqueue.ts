import type { Db } from "../db/client.js";
import { enqueueOutbox } from "../db/runs.js";
import type { ChannelName } from "./adapter.js";
import { ChannelError } from "./errors.js";
import { suppressionFor } from "./suppressions.js";

export type QueuedMessage = Parameters<typeof enqueueOutbox>[1] & { channel: ChannelName };

/**
 * Queues an approved message unless the lead is suppressed on its channel: the outbox refuses suppressed
 * leads at the door (and the dispatcher checks again at send time, for suppressions that come later).
 * @throws {ChannelError} `suppressed`, with the recorded reason.
 */
export async function enqueueUnlessSuppressed(
  db: Db,
  message: QueuedMessage,
): Promise<{ id: number; created: boolean }> {
  if (message.leadId) {
    const stop = await suppressionFor(db, message.tenantId, message.leadId, message.channel);
    if (stop) {
      throw new ChannelError(
        "suppressed",
        `lead is suppressed on ${stop.scope === "all" ? "every channel" : stop.scope}: ${stop.reason}`,
      );
    }
  }
  return enqueueOutbox(db, message);
}
