import { type Db, queryRows } from "../../db/client.js";
import { CheckpointerError, CheckpointerErrorCode } from "./errors.js";
import { lockPrune, pruneBatch } from "./sql.js";

/**
 * Retention for checkpoints: every step of every run writes a checkpoint, so threads grow without bound.
 * The official savers have no prune; this one keeps what a thread can still need.
 */
export interface PruneOptions {
  /**
   * Newest checkpoints kept in each (thread, namespace). The head, the newest, is kept whatever this says
   * (also at 0): a thread always continues from its last state.
   */
  keepLast: number;
  /** Checkpoints younger than this many milliseconds are kept whatever their rank (e.g. 7 days). */
  keepYoungerThan: number;
  /** Prune only this thread (default: every thread). */
  threadId?: string;
  /**
   * Most checkpoints deleted per transaction (default 5,000): a large backlog is pruned in several short
   * transactions rather than one that holds locks for long.
   */
  batchSize?: number;
}

export interface PruneResult {
  /** Checkpoints deleted. */
  checkpoints: number;
  /** Pending writes deleted with them. */
  writes: number;
  /** Channel blobs no remaining checkpoint pointed at any more. */
  blobs: number;
  /** Transactions it took. */
  batches: number;
}

const DEFAULT_BATCH_SIZE = 5_000;

/**
 * The default policy (`serve`'s schedule, the library's `maintenance`, `threads prune`): the last 20 steps of
 * every thread and a week of full history, enough to debug and replay.
 */
export const DEFAULT_KEEP_LAST = 20;
export const DEFAULT_KEEP_YOUNGER_THAN_MS = 7 * 86_400_000;

/**
 * Delete old checkpoints: in each (thread, namespace), those ranked after the newest `keepLast` AND older
 * than `keepYoungerThan`, never the head, never one with an unanswered interrupt (human approval pending);
 * with them their pending writes and the blobs nothing else points at.
 *
 * Safe beside running threads and other prunes: each batch is one statement in a transaction that holds a
 * cluster-wide advisory lock (prunes queue, they do not deadlock one another), and a checkpoint committed
 * while it runs is outside its snapshot, so it only ever deletes what was already old. One limit: a run
 * forked from a checkpoint that is pruned at that very moment may lose the blobs it shares with it; forks of
 * history older than the retention window should not race the prune.
 */
export async function pruneCheckpoints(db: Db, options: PruneOptions): Promise<PruneResult> {
  const { keepLast, keepYoungerThan, threadId } = options;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  requireInteger("keepLast", keepLast, 0);
  requireInteger("batchSize", batchSize, 1);
  if (!Number.isFinite(keepYoungerThan) || keepYoungerThan < 0) {
    throw new CheckpointerError(
      CheckpointerErrorCode.InvalidOption,
      `keepYoungerThan must be a finite number of milliseconds ≥ 0, got ${keepYoungerThan}`,
    );
  }
  const total: PruneResult = { checkpoints: 0, writes: 0, blobs: 0, batches: 0 };
  const selection = {
    keepLast,
    keepYoungerThanMs: Math.round(keepYoungerThan),
    limit: batchSize,
    ...(threadId === undefined ? {} : { threadId }),
  };
  for (;;) {
    const batch = await db.transaction(async (tx) => {
      await tx.execute(lockPrune());
      const [row] = await queryRows<{ checkpoints: number; writes: number; blobs: number }>(
        tx,
        pruneBatch(selection),
      );
      return row ?? { checkpoints: 0, writes: 0, blobs: 0 };
    });
    total.checkpoints += batch.checkpoints;
    total.writes += batch.writes;
    total.blobs += batch.blobs;
    total.batches += 1;
    if (batch.checkpoints < batchSize) return total;
  }
}

function requireInteger(name: string, value: number, min: number): void {
  if (!Number.isInteger(value) || value < min) {
    throw new CheckpointerError(
      CheckpointerErrorCode.InvalidOption,
      `${name} must be an integer ≥ ${min}, got ${value}`,
    );
  }
}
