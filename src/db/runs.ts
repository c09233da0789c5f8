import { and, asc, desc, eq, gt, inArray, lt, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { SqlState, sqlStateOf } from "./client.js";
import { openOutboxFields, sealOutboxFields } from "./pii/outbox-fields.js";
import { piiOf } from "./pii/registry.js";
import { openRunEventData, sealRunEventData } from "./pii/run-event-fields.js";
import { outbox, type Run, type RunStatus, runEvents, runs } from "./runs.schema.js";

export type Multitask = "reject" | "enqueue";

/** A replica that stopped heartbeating this long ago is presumed dead; its run no longer blocks the thread. */
export const STALE_RUN_MS = 30_000;

export class ThreadBusyError extends Error {
  constructor(
    readonly threadId: string,
    readonly runningRunId: string | undefined,
  ) {
    super(`thread ${threadId} already has a run in progress`);
    this.name = "ThreadBusyError";
  }
}

const isUniqueViolation = (error: unknown) => sqlStateOf(error) === SqlState.UniqueViolation;

/** Marks runs of a thread whose replica stopped heartbeating as failed, so they stop blocking the thread. */
async function reapStaleRuns(
  db: Db,
  tenantId: string,
  threadId: string,
  staleAfterMs: number,
): Promise<void> {
  await db
    .update(runs)
    .set({ status: "error", error: "abandoned: the replica running it stopped", finishedAt: sql`now()` })
    .where(
      and(
        eq(runs.tenantId, tenantId),
        eq(runs.threadId, threadId),
        eq(runs.status, "running"),
        lt(runs.heartbeatAt, sql`now() - make_interval(secs => ${staleAfterMs / 1000})`),
      ),
    );
}

async function runningRunOf(db: Db, tenantId: string, threadId: string): Promise<Run | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.tenantId, tenantId), eq(runs.threadId, threadId), eq(runs.status, "running")));
  return row;
}

/**
 * Creates a run. With `reject` it starts running at once or fails with ThreadBusyError; with `enqueue`
 * it waits as `pending` until `tryStartRun` lets it run. The partial unique index on running runs makes
 * "one run per thread" hold across every replica.
 */
export async function createRun(
  db: Db,
  values: { tenantId: string; threadId: string; multitask: Multitask },
  staleAfterMs = STALE_RUN_MS,
): Promise<Run> {
  const status: RunStatus = values.multitask === "reject" ? "running" : "pending";
  for (let attempt = 0; ; attempt++) {
    try {
      const [row] = await db
        .insert(runs)
        .values({ ...values, status })
        .returning();
      return row!;
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (attempt === 0) {
        await reapStaleRuns(db, values.tenantId, values.threadId, staleAfterMs);
        continue;
      }
      const running = await runningRunOf(db, values.tenantId, values.threadId);
      throw new ThreadBusyError(values.threadId, running?.id);
    }
  }
}

/**
 * Moves a pending run to running when it is the oldest pending run of its thread and nothing runs there.
 * Returns false when it must keep waiting.
 */
export async function tryStartRun(
  db: Db,
  run: Pick<Run, "id" | "tenantId" | "threadId">,
  staleAfterMs = STALE_RUN_MS,
): Promise<boolean> {
  try {
    const started = await db
      .update(runs)
      .set({ status: "running", heartbeatAt: sql`now()` })
      .where(
        and(
          eq(runs.id, run.id),
          eq(runs.status, "pending"),
          sql`${runs.id} = (select id from runs r where r.tenant_id = ${run.tenantId} and r.thread_id = ${run.threadId}
                and r.status = 'pending' order by r.created_at, r.id limit 1)`,
        ),
      )
      .returning({ id: runs.id });
    if (started.length === 0) await reapStaleRuns(db, run.tenantId, run.threadId, staleAfterMs);
    return started.length === 1;
  } catch (error) {
    if (isUniqueViolation(error)) return false;
    throw error;
  }
}

export async function finishRun(db: Db, runId: string, status: RunStatus, error?: string): Promise<void> {
  await db
    .update(runs)
    .set({ status, error: error ?? null, finishedAt: sql`now()` })
    .where(eq(runs.id, runId));
}

/** Refreshes the heartbeat and reports whether someone asked to cancel the run. */
export async function heartbeat(db: Db, runId: string): Promise<{ cancelRequested: boolean }> {
  const [row] = await db
    .update(runs)
    .set({ heartbeatAt: sql`now()` })
    .where(eq(runs.id, runId))
    .returning({ cancel: runs.cancelRequested });
  return { cancelRequested: (row?.cancel ?? 0) > 0 };
}

export async function getRun(db: Db, tenantId: string, runId: string): Promise<Run | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.tenantId, tenantId), eq(runs.id, runId)));
  return row;
}

export async function latestRun(db: Db, tenantId: string, threadId: string): Promise<Run | undefined> {
  const [row] = await db
    .select()
    .from(runs)
    .where(and(eq(runs.tenantId, tenantId), eq(runs.threadId, threadId)))
    .orderBy(desc(runs.createdAt))
    .limit(1);
  return row;
}

/** Asks the replica running (or about to run) the thread's active runs to stop. Returns the runs asked. */
export async function requestCancel(
  db: Db,
  tenantId: string,
  threadId: string,
  runId?: string,
): Promise<string[]> {
  const rows = await db
    .update(runs)
    .set({ cancelRequested: 1 })
    .where(
      and(
        eq(runs.tenantId, tenantId),
        eq(runs.threadId, threadId),
        inArray(runs.status, ["pending", "running"]),
        ...(runId ? [eq(runs.id, runId)] : []),
      ),
    )
    .returning({ id: runs.id });
  return rows.map((r) => r.id);
}

/** Stores one event of a run, its data encrypted (it names the lead, carries drafts and model output). */
export async function appendRunEvent(
  db: Db,
  event: { runId: string; seq: number; type: string; data: unknown },
): Promise<void> {
  await db.insert(runEvents).values({ ...event, data: sealRunEventData(piiOf(db), event.runId, event.data) });
}

export async function runEventsAfter(db: Db, runId: string, after: number, limit = 500) {
  const pii = piiOf(db);
  const rows = await db
    .select({ seq: runEvents.seq, type: runEvents.type, data: runEvents.data, at: runEvents.at })
    .from(runEvents)
    .where(and(eq(runEvents.runId, runId), gt(runEvents.seq, after)))
    .orderBy(asc(runEvents.seq))
    .limit(limit);
  return rows.map((row) => ({ ...row, data: openRunEventData(pii, runId, row.data) }));
}

export async function deleteThreadRuns(db: Db, tenantId: string, threadId: string): Promise<number> {
  const rows = await db
    .delete(runs)
    .where(and(eq(runs.tenantId, tenantId), eq(runs.threadId, threadId)))
    .returning({ id: runs.id });
  return rows.length;
}

/** Queues an approved message once per idempotency key; returns the row, new or already there. */
export async function enqueueOutbox(
  db: Db,
  message: Omit<typeof outbox.$inferInsert, "id" | "status" | "createdAt">,
): Promise<{ id: number; created: boolean }> {
  const pii = piiOf(db);
  const sealed = { ...message, ...sealOutboxFields(pii, { ...message, subject: message.subject ?? null }) };
  const inserted = await db.insert(outbox).values(sealed).onConflictDoNothing().returning({ id: outbox.id });
  if (inserted[0]) return { id: inserted[0].id, created: true };
  const [existing] = await db
    .select({ id: outbox.id })
    .from(outbox)
    .where(and(eq(outbox.tenantId, message.tenantId), eq(outbox.idempotencyKey, message.idempotencyKey)));
  return { id: existing!.id, created: false };
}

export async function outboxFor(db: Db, tenantId: string, leadId: string) {
  const pii = piiOf(db);
  const rows = await db
    .select()
    .from(outbox)
    .where(and(eq(outbox.tenantId, tenantId), eq(outbox.leadId, leadId)))
    .orderBy(asc(outbox.id));
  return rows.map((row) => openOutboxFields(pii, row));
}
