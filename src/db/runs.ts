import { and, asc, desc, eq, gt, inArray, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "./client.js";
import { queryRows, SqlState, sqlStateOf } from "./client.js";
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

export interface ThreadListing {
  threadId: string;
  /** The thread's latest run, which says where the thread stands. */
  runId: string;
  status: RunStatus;
  createdAt: string;
  finishedAt: string | null;
  error: string | null;
  /** Interrupted runs: what the thread waits on (the approval request: channel, subject, body, reason). */
  interrupts: { id: string | null; value: unknown }[];
}

/**
 * The tenant's threads by their latest run, newest first, optionally only those whose latest run has
 * `status` ("interrupted": the approvals waiting for a person). Keyset-paged: `before` is the previous
 * page's `nextBefore`, so pages stay exact while runs come and go.
 */
export async function listThreads(
  db: Db,
  tenantId: string,
  page: { status?: RunStatus; limit: number; before?: ThreadCursor },
): Promise<{ items: ThreadListing[]; nextBefore: ThreadCursor | null }> {
  const rows = await queryRows<{
    id: string;
    thread_id: string;
    status: RunStatus;
    created_at: string;
    finished_at: string | null;
    error: string | null;
  }>(
    db,
    // created_at as text keeps its microseconds for the cursor (a JS Date would round them to ms).
    sql`select id, thread_id, status, ${utcText(sql`created_at`)} as created_at,
               ${utcText(sql`finished_at`)} as finished_at, error
        from (
          select distinct on (thread_id) id, thread_id, status, created_at, finished_at, error
          from ${runs}
          where tenant_id = ${tenantId}
          order by thread_id, created_at desc, id desc
        ) latest
        where true
          ${page.status ? sql`and status = ${page.status}` : sql``}
          ${page.before ? sql`and (created_at, id) < (${page.before.at}::timestamptz, ${page.before.runId}::uuid)` : sql``}
        order by created_at desc, id desc
        limit ${page.limit + 1}`,
  );
  const items = rows.slice(0, page.limit);
  const interrupted = items.filter((r) => r.status === "interrupted").map((r) => r.id);
  const interrupts = new Map<string, ThreadListing["interrupts"]>();
  if (interrupted.length > 0) {
    const pii = piiOf(db);
    const events = await db
      .select({ runId: runEvents.runId, data: runEvents.data })
      .from(runEvents)
      .where(and(inArray(runEvents.runId, interrupted), eq(runEvents.type, "interrupt")))
      .orderBy(asc(runEvents.runId), asc(runEvents.seq));
    for (const event of events) {
      const data = openRunEventData(pii, event.runId, event.data) as { id?: string | null; value?: unknown };
      const list = interrupts.get(event.runId) ?? [];
      list.push({ id: data?.id ?? null, value: data?.value ?? null });
      interrupts.set(event.runId, list);
    }
  }
  const last = items[items.length - 1];
  return {
    items: items.map((r) => ({
      threadId: r.thread_id,
      runId: r.id,
      status: r.status,
      createdAt: new Date(r.created_at).toISOString(),
      finishedAt: r.finished_at === null ? null : new Date(r.finished_at).toISOString(),
      error: r.error,
      interrupts: interrupts.get(r.id) ?? [],
    })),
    nextBefore: rows.length > page.limit && last ? { at: last.created_at, runId: last.id } : null,
  };
}

/** ISO 8601 in UTC with microseconds, whatever the session's DateStyle and TimeZone. */
const utcText = (column: SQL) => sql`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;

/** Where a page of `listThreads` ends: the last item's run time (exact, as Postgres prints it) and id. */
export interface ThreadCursor {
  at: string;
  runId: string;
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
