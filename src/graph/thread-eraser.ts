import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, SqlState, sqlStateOf } from "../db/client.js";
import { STALE_RUN_MS } from "../db/runs.js";
import { outbox, runEvents, runs } from "../db/runs.schema.js";
import { eraseThreads, threadsMatching } from "../memory/checkpointer/erasure.js";
import { MemoryError, MemoryErrorCode } from "../memory/errors.js";
import { mentionPattern, type PersonEraser } from "../memory/privacy/forget.js";
import { threadKeyOfOutboxKey } from "./outbox-key.js";
import { threadKey } from "./runner.js";

/**
 * The state channels that say whom a thread is about: `lead` (the lead, with its id once stored, and its
 * email), `message` (the inbound message) and `__start__` (each run's input, both of the above).
 */
export const PERSON_CHANNELS = ["lead", "message", "__start__"] as const;

export interface ThreadEraserOptions {
  /** A running run whose heartbeat is older than this is dead and does not block erasure (default 30 s). */
  staleAfterMs?: number;
}

/**
 * The `memory.forget` eraser for threads (`createMemory({ erasers })`): a thread is the person's when its
 * `lead`, `message` or run input values (at any retained checkpoint, or in a pending write) name one of the
 * person's lead ids or emails as a whole token. Such a thread goes entirely, in forget's transaction: its
 * checkpoints, pending writes and blobs, its runs and their events, and the messages it queued in the
 * outbox (sent or not). Threads are tenant-scoped by key
 * (`tenant/threadId`), so only the tenant's own are searched.
 *
 * A run in progress on such a thread would write the person's state again after the erasure, so a live one
 * (fresh heartbeat) makes the whole forget fail with `thread_busy` and nothing is erased; the caller
 * cancels it (`threads.cancel`) or waits, and asks again. While the erasure runs, each thread holds a
 * placeholder "running" run, so no new run can start on it (the one-running-run-per-thread index) until
 * the transaction ends; queued runs of the thread are deleted and their waiters give up.
 *
 * Works on the Postgres checkpointer's tables on the same database as the memory; a system given another
 * `checkpointer` must erase its threads itself.
 */
export function threadEraser(options: ThreadEraserOptions = {}): PersonEraser {
  const staleAfterMs = options.staleAfterMs ?? STALE_RUN_MS;
  return async (tx, person): Promise<Record<string, number>> => {
    const none = { threads: 0, checkpoints: 0, runs: 0, runEvents: 0, outbox: 0 };
    const identifiers = [...person.leadIds, ...person.emails];
    if (identifiers.length === 0) return none;
    const prefix = threadKey(person.tenantId, "");
    const keys = await threadsMatching(tx, {
      prefix,
      channels: PERSON_CHANNELS,
      pattern: mentionPattern(identifiers),
    });
    if (keys.length === 0) return none;
    const threadIds = keys.map((key) => key.slice(prefix.length));
    const ofThreads = and(eq(runs.tenantId, person.tenantId), inArray(runs.threadId, threadIds));

    const live = await tx
      .select({ id: runs.id, threadId: runs.threadId })
      .from(runs)
      .where(
        and(
          ofThreads,
          eq(runs.status, "running"),
          sql`${runs.heartbeatAt} > now() - ${staleAfterMs}::bigint * interval '1 millisecond'`,
        ),
      )
      .for("update");
    if (live.length > 0) throw busy(live[0]!.threadId, live[0]!.id);

    // Finished, interrupted, queued and dead runs go (events by cascade), then the threads are claimed.
    const [events] = await tx
      .select({ n: sql<number>`count(*)::int` })
      .from(runEvents)
      .where(inArray(runEvents.runId, tx.select({ id: runs.id }).from(runs).where(ofThreads)));
    const goneRuns = await tx.delete(runs).where(ofThreads).returning({ id: runs.id });
    const placeholders = await claimThreads(tx, person.tenantId, threadIds);
    const checkpoints = await eraseThreads(tx, keys);
    await tx.delete(runs).where(inArray(runs.id, placeholders));
    // Messages the threads queued, found by their idempotency key (graph/outbox-key.ts): a lead that was
    // never stored has no lead id on its messages, and their bodies are encrypted.
    const messages = await tx
      .delete(outbox)
      .where(
        and(eq(outbox.tenantId, person.tenantId), inArray(threadKeyOfOutboxKey(outbox.idempotencyKey), keys)),
      )
      .returning({ id: outbox.id });
    return {
      threads: keys.length,
      checkpoints: checkpoints.checkpoints,
      runs: goneRuns.length,
      runEvents: Number(events?.n ?? 0),
      outbox: messages.length,
    };
  };
}

/**
 * One "running" placeholder run per thread, inserted in a savepoint: a run that started since the check
 * above makes the insert fail on the one-running-run-per-thread index, and the erasure fails as busy.
 */
async function claimThreads(tx: Db, tenantId: string, threadIds: readonly string[]): Promise<string[]> {
  try {
    const rows = await tx.transaction((sp) =>
      sp
        .insert(runs)
        .values(
          threadIds.map((threadId) => ({
            tenantId,
            threadId,
            status: "running" as const,
            multitask: "reject",
            error: "erasing the thread (memory.forget)",
          })),
        )
        .returning({ id: runs.id }),
    );
    return rows.map((r) => r.id);
  } catch (error) {
    if (sqlStateOf(error) === SqlState.UniqueViolation) throw busy(null, null);
    throw error;
  }
}

function busy(threadId: string | null, runId: string | null): MemoryError {
  return new MemoryError(
    MemoryErrorCode.ThreadBusy,
    threadId === null
      ? "a run started on one of the person's threads: cancel it (threads.cancel) or let it finish, then forget again"
      : `a run is in progress on the person's thread ${threadId}: cancel it (threads.cancel) or let it finish, then forget again`,
    { ...(threadId === null ? {} : { threadId }), ...(runId === null ? {} : { runId }) },
  );
}
