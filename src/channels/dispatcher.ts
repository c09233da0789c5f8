/**
 * Drains the outbox through the channel adapters: claims due messages, re-checks suppression at send
 * time (an unsubscribe may have arrived after the message was queued), sends, and records each fate:
 * sent with the provider's id, retried with exponential backoff on transient failures, failed when the
 * failure is permanent or the attempts run out. Delivery is at-least-once; the idempotency key handed to
 * the adapter lets a provider that supports one make it exactly-once.
 */
import type { Db } from "../db/client.js";
import type { ChannelAdapter, ChannelName } from "./adapter.js";
import { ChannelError } from "./errors.js";
import { claimDue, markFailed, markRetry, markSent, markSuppressed } from "./outbox-queue.js";
import { suppressionFor } from "./suppressions.js";

export interface DispatcherOptions {
  adapters: readonly ChannelAdapter[];
  /** Messages claimed per round. */
  batchSize?: number;
  /** Sends per message before it is marked failed. */
  maxAttempts?: number;
  /** How long a claimed message stays with this dispatcher before another may take it. */
  leaseMs?: number;
  /** Delay before retry n (1-based): 30 s · 2^(n−1), at most an hour, by default. */
  backoffMs?: (attempt: number) => number;
}

export interface DrainReport {
  sent: number;
  retried: number;
  failed: number;
  suppressed: number;
}

export const defaultBackoffMs = (attempt: number) => Math.min(3_600_000, 30_000 * 2 ** (attempt - 1));

const messageOf = (error: unknown) => (error instanceof Error ? error.message : String(error));

/** One pass over the due messages; call it on a timer (see `startDispatcher`) or from a job. */
export async function drainOutbox(db: Db, options: DispatcherOptions): Promise<DrainReport> {
  const { batchSize = 20, maxAttempts = 5, leaseMs = 60_000, backoffMs = defaultBackoffMs } = options;
  const adapters = new Map(options.adapters.map((a) => [a.channel, a]));
  const report: DrainReport = { sent: 0, retried: 0, failed: 0, suppressed: 0 };
  for (const { row, attempt, to } of await claimDue(db, batchSize, leaseMs)) {
    const channel = row.channel as ChannelName;
    if (row.leadId) {
      const stop = await suppressionFor(db, row.tenantId, row.leadId, channel);
      if (stop) {
        await markSuppressed(db, row.id, `suppressed (${stop.scope}): ${stop.reason}`);
        report.suppressed++;
        continue;
      }
    }
    const adapter = adapters.get(channel);
    if (!adapter) {
      await markFailed(db, row.id, `no adapter for channel ${row.channel}`);
      report.failed++;
      continue;
    }
    try {
      const { providerId } = await adapter.send({
        outboxId: row.id,
        tenantId: row.tenantId,
        idempotencyKey: row.idempotencyKey,
        channel,
        variantId: row.variantId,
        to,
        subject: row.subject,
        body: row.body,
      });
      await markSent(db, row.id, providerId);
      report.sent++;
    } catch (error) {
      const permanent = error instanceof ChannelError && !error.retryable;
      if (permanent || attempt >= maxAttempts) {
        await markFailed(
          db,
          row.id,
          `${permanent ? "" : `gave up after ${attempt} attempts: `}${messageOf(error)}`,
        );
        report.failed++;
      } else {
        await markRetry(db, row.id, messageOf(error), backoffMs(attempt));
        report.retried++;
      }
    }
  }
  return report;
}

/** Drains every `intervalMs` until stopped; a failed round is reported and the next one goes ahead. */
export function startDispatcher(
  db: Db,
  options: DispatcherOptions & { intervalMs?: number; onError?: (error: unknown) => void },
): { stop(): Promise<void> } {
  let stopped = false;
  let running: Promise<unknown> = Promise.resolve();
  const tick = () => {
    if (stopped) return;
    running = drainOutbox(db, options)
      .catch((error: unknown) => options.onError?.(error))
      .finally(() => {
        if (!stopped) timer = setTimeout(tick, options.intervalMs ?? 5_000);
      });
  };
  let timer = setTimeout(tick, 0);
  return {
    async stop() {
      stopped = true;
      clearTimeout(timer);
      await running;
    },
  };
}
