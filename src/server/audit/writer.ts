import type { Db } from "../../db/client.js";
import type { AuditFields } from "./chain.js";
import { appendEntries } from "./store.js";

export interface AuditWriterOptions {
  /** Most entries in one INSERT. */
  batchSize?: number;
  /**
   * How long the first entry of a batch waits for others before the write starts. Each write is a
   * transaction; on embedded PGlite it runs on the event loop's thread, so one per call would slow every
   * request. Entries reach the table within about this delay.
   */
  flushDelayMs?: number;
  /** Entries held while the database is unreachable; beyond this new entries are dropped and counted. */
  maxQueued?: number;
  /** First retry delay after a failed write; doubles up to 5 s. */
  retryMs?: number;
  log?: { error: (obj: object, msg: string) => void };
}

export interface AuditWriter {
  /** Queues an entry and returns at once: the request path never waits for the audit write. */
  record(entry: AuditFields): void;
  /** Resolves when everything queued so far is written (or given up on, at close). */
  flush(): Promise<void>;
  /** Writes what is queued and stops retrying. Idempotent. */
  close(): Promise<void>;
  /** Entries dropped because the queue was full (the database was unreachable for long). */
  readonly dropped: number;
}

const defaults = {
  batchSize: 500,
  flushDelayMs: 50,
  maxQueued: 10_000,
  retryMs: 250,
} satisfies AuditWriterOptions;

/**
 * Writes audit entries in the background, in batches: one transaction per batch (lock, read head, insert)
 * instead of one per call. A single loop per process, so entries from this process keep their order; the
 * advisory lock in `appendEntries` orders them against other processes.
 */
export function createAuditWriter(db: Db, options: AuditWriterOptions = {}): AuditWriter {
  const { batchSize, flushDelayMs, maxQueued, retryMs } = { ...defaults, ...options };
  const queue: AuditFields[] = [];
  let running: Promise<void> | undefined;
  let closing = false;
  /** Set by flush(): someone is waiting, so do not hold the batch open. */
  let flushing = false;
  let dropped = 0;
  let droppedLogged = 0;

  async function drain(): Promise<void> {
    let delay = retryMs;
    // Let calls arriving in the next few milliseconds join this batch: one transaction instead of many.
    if (!closing && !flushing) await new Promise((resolve) => setTimeout(resolve, flushDelayMs).unref());
    while (queue.length > 0) {
      const batch = queue.slice(0, batchSize);
      try {
        await appendEntries(db, batch);
        queue.splice(0, batch.length);
        delay = retryMs;
      } catch (error) {
        options.log?.error({ err: error, queued: queue.length }, "audit write failed; retrying");
        if (closing) return;
        await new Promise((resolve) => setTimeout(resolve, delay).unref());
        delay = Math.min(delay * 2, 5_000);
      }
    }
    if (dropped > droppedLogged) {
      options.log?.error({ dropped: dropped - droppedLogged }, "audit entries dropped: queue was full");
      droppedLogged = dropped;
    }
  }

  function start(): Promise<void> {
    running ??= drain().finally(() => {
      running = undefined;
      // Entries that arrived after the loop's last check.
      if (queue.length > 0 && !closing) void start();
    });
    return running;
  }

  let closed: Promise<void> | undefined;
  return {
    record(entry) {
      if (queue.length >= maxQueued) {
        dropped++;
        return;
      }
      queue.push(entry);
      void start();
    },
    async flush() {
      flushing = true;
      try {
        while (running || (queue.length > 0 && !closing)) await (running ?? start());
      } finally {
        flushing = false;
      }
    },
    close() {
      closed ??= (async () => {
        // From here a failed write is not retried: shutdown must not hang on an unreachable database.
        closing = true;
        await (running ?? Promise.resolve());
        if (queue.length > 0) await drain();
        if (queue.length > 0) {
          options.log?.error({ lost: queue.length }, "audit entries not written at shutdown");
        }
      })();
      return closed;
    },
    get dropped() {
      return dropped;
    },
  };
}
