import { INTERRUPT, RESUME, TASKS } from "@langchain/langgraph-checkpoint";
import { type SQL, sql } from "drizzle-orm";
import { threadCheckpointBlobs, threadCheckpoints, threadCheckpointWrites } from "./checkpointer.schema.js";
import { CheckpointerError, CheckpointerErrorCode } from "./errors.js";
import type { BlobRow, StoredCheckpoint, WriteRow } from "./serde.js";
import type { ShapedStatement } from "./statements.js";

/**
 * Every statement on the checkpointer tables, as the `sql` template (values are always bound parameters).
 * Each saver call is one statement, so one round trip and, for writes, one implicit transaction: a
 * checkpoint and its blobs commit together or not at all. The statements of every graph step (`put`,
 * `putWrites`, `getTuple`) are written with placeholders, as `ShapedStatement`s, so that they are compiled
 * once per shape (statements.ts). The file stays whole past 300 lines on purpose: whoever changes these
 * tables reads every query that touches them in one place (the saver's and the retention batch's), as in
 * the official saver's sql.ts.
 */

const p = sql.placeholder;

const cp = threadCheckpoints;
const blobs = threadCheckpointBlobs;
const writes = threadCheckpointWrites;

/** Which checkpoints a read returns, newest first (ties across threads broken by thread and namespace). */
export interface CheckpointSelection {
  threadId?: string;
  checkpointNs?: string;
  checkpointId?: string;
  /** Metadata containment (`@>`), as `list({ filter })`. */
  filter?: Record<string, unknown>;
  /** Only checkpoints with an id below this one (`list({ before })`). */
  beforeId?: string;
  /** Keyset paging: only checkpoints that sort after this one in the newest-first order. */
  after?: CheckpointKey;
  limit?: number;
}

export interface CheckpointKey {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
}

/** Row kinds of `selectTuples`: one result set carries checkpoints, their blobs and their writes. */
export const RowKind = { Checkpoint: 0, Blob: 1, Write: 2, ParentSend: 3 } as const;

/** A row of `selectTuples`; which columns are set depends on `kind`. */
export interface TupleRow extends Record<string, unknown> {
  kind: number;
  thread_id: string;
  checkpoint_ns: string;
  /** Checkpoint and write rows: the checkpoint; parent-send rows: the child checkpoint they migrate into. */
  checkpoint_id: string | null;
  parent_checkpoint_id: string | null;
  checkpoint: StoredCheckpoint | null;
  /** Metadata as JSON text, for the serializer. */
  metadata: string | null;
  channel: string | null;
  /** Blob rows: the version; write rows: the task id. */
  key: string | null;
  type: string | null;
  blob: Uint8Array | null;
}

/** Kinds are constants of this file, written as literals so that the result column is an integer. */
const kind = (k: (typeof RowKind)[keyof typeof RowKind]) => sql.raw(String(k));

function selectionWhere(s: CheckpointSelection): SQL {
  const conditions: SQL[] = [];
  if (s.threadId !== undefined) conditions.push(sql`thread_id = ${s.threadId}`);
  if (s.checkpointNs !== undefined) conditions.push(sql`checkpoint_ns = ${s.checkpointNs}`);
  if (s.checkpointId !== undefined) conditions.push(sql`checkpoint_id = ${s.checkpointId}`);
  if (s.filter !== undefined && Object.keys(s.filter).length > 0) {
    conditions.push(sql`metadata @> ${JSON.stringify(s.filter)}::jsonb`);
  }
  if (s.beforeId !== undefined) conditions.push(sql`checkpoint_id < ${s.beforeId}`);
  if (s.after !== undefined) {
    const a = s.after;
    conditions.push(
      sql`(checkpoint_id, thread_id, checkpoint_ns) < (${a.checkpointId}, ${a.threadId}, ${a.checkpointNs})`,
    );
  }
  return conditions.length === 0 ? sql`true` : sql.join(conditions, sql` and `);
}

/**
 * Checkpoints with everything needed to rebuild their tuples, in one round trip:
 * - kind 0: the checkpoints, newest first;
 * - kind 1: the blobs their `channel_versions` point at, each once even when several checkpoints share it;
 * - kind 2: their pending writes, in LangGraph's replay order (task_path, task_id, idx);
 * - kind 3: for checkpoints of format v < 4, the parent's TASKS writes, which older LangGraph kept as
 *   pending sends and v4 keeps as a channel (the validation suite's "should migrate pending sends").
 *
 * Blobs and writes are fetched by LATERAL subqueries that cannot be flattened (`limit 1`, `offset 0`), so
 * each is a primary-key probe per checkpoint: as joins, the planner hashes the whole blobs table (it
 * guesses 100 rows per `jsonb_each_text`), and a read then costs as much as the table is large.
 */
export function selectTuples(s: CheckpointSelection): SQL {
  // The limit is written into the statement, not bound: with `limit $n` the cached generic plan of this
  // prepared statement guesses many rows, costs far above the custom plans, and Postgres then replans on
  // every call (milliseconds of planning). It is an integer checked here, never text from outside.
  if (s.limit !== undefined && !(Number.isInteger(s.limit) && s.limit >= 0)) {
    throw new CheckpointerError(
      CheckpointerErrorCode.InvalidOption,
      `limit must be a non-negative integer, got ${s.limit}`,
    );
  }
  return tuplesQuery(selectionWhere(s), s.limit === undefined ? sql`` : sql.raw(`limit ${s.limit}`));
}

/**
 * One checkpoint as `getTuple` reads it, the thread's head or the given id: `selectTuples` with
 * placeholders, the same text on every call.
 */
export function selectTuple(key: {
  threadId: string;
  checkpointNs: string;
  checkpointId?: string;
}): ShapedStatement {
  const { threadId, checkpointNs, checkpointId } = key;
  const thread = sql`thread_id = ${p("threadId")} and checkpoint_ns = ${p("checkpointNs")}`;
  if (checkpointId === undefined) {
    return {
      shape: "tuple-head",
      build: () => tuplesQuery(thread, sql`limit 1`),
      values: { threadId, checkpointNs },
    };
  }
  return {
    shape: "tuple-by-id",
    build: () => tuplesQuery(sql`${thread} and checkpoint_id = ${p("checkpointId")}`, sql`limit 1`),
    values: { threadId, checkpointNs, checkpointId },
  };
}

function tuplesQuery(where: SQL, limit: SQL): SQL {
  return sql`
    with sel as (
      select thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata,
             (row_number() over (order by checkpoint_id desc, thread_id desc, checkpoint_ns desc))::int as ord
      from ${cp}
      where ${where}
      order by checkpoint_id desc, thread_id desc, checkpoint_ns desc
      ${limit}
    )
    select ${kind(RowKind.Checkpoint)} as kind, sel.ord, sel.thread_id, sel.checkpoint_ns, sel.checkpoint_id,
           sel.parent_checkpoint_id, sel.checkpoint, sel.metadata::text as metadata,
           null as channel, null as key, null as type, null::bytea as blob,
           null::int as idx, null as task_path
    from sel
    union all
    select ${kind(RowKind.Blob)}, null, k.thread_id, k.checkpoint_ns, null, null, null, null,
           k.channel, k.version, b.type, b.blob, null, null
    from (
      select distinct sel.thread_id, sel.checkpoint_ns, v.key as channel, v.value as version
      from sel cross join lateral jsonb_each_text(sel.checkpoint -> 'channel_versions') v
    ) k
    cross join lateral (
      select type, blob from ${blobs} b
      where b.thread_id = k.thread_id and b.checkpoint_ns = k.checkpoint_ns
        and b.channel = k.channel and b.version = k.version
      limit 1
    ) b
    union all
    select ${kind(RowKind.Write)}, sel.ord, sel.thread_id, sel.checkpoint_ns, sel.checkpoint_id, null, null, null,
           w.channel, w.task_id, w.type, w.blob, w.idx, w.task_path
    from sel
    cross join lateral (
      select * from ${writes} w
      where w.thread_id = sel.thread_id and w.checkpoint_ns = sel.checkpoint_ns
        and w.checkpoint_id = sel.checkpoint_id
      offset 0
    ) w
    union all
    select ${kind(RowKind.ParentSend)}, sel.ord, sel.thread_id, sel.checkpoint_ns, sel.checkpoint_id, null, null, null,
           w.channel, w.task_id, w.type, w.blob, w.idx, w.task_path
    from sel
    cross join lateral (
      select * from ${writes} w
      where w.thread_id = sel.thread_id and w.checkpoint_ns = sel.checkpoint_ns
        and w.checkpoint_id = sel.parent_checkpoint_id and w.channel = ${TASKS}
      offset 0
    ) w
    where (sel.checkpoint ->> 'v')::int < 4
    order by kind, ord, task_path, key, idx`;
}

/** The newest checkpoint id of a thread's namespace: a backward scan of the primary key, one row. */
export function selectHeadId(threadId: string, checkpointNs: string): ShapedStatement {
  return {
    shape: "head-id",
    build: () => sql`
      select checkpoint_id from ${cp}
      where thread_id = ${p("threadId")} and checkpoint_ns = ${p("checkpointNs")}
      order by checkpoint_id desc
      limit 1`,
    values: { threadId, checkpointNs },
  };
}

export interface CheckpointInsert {
  threadId: string;
  checkpointNs: string;
  checkpointId: string;
  parentCheckpointId: string | null;
  /** JSON text of the checkpoint without channel values. */
  checkpoint: string;
  /** JSON text of the metadata. */
  metadata: string;
  blobs: readonly BlobRow[];
}

/**
 * Store a checkpoint and its new blobs in one statement. A blob already stored for its (channel, version)
 * is the same value (versions are unique per value), so it is kept; a checkpoint put again under its id
 * replaces its content, as the official saver does. One shape per number of blobs.
 */
export function upsertCheckpoint(c: CheckpointInsert): ShapedStatement {
  const values: Record<string, unknown> = {
    threadId: c.threadId,
    checkpointNs: c.checkpointNs,
    checkpointId: c.checkpointId,
    parentCheckpointId: c.parentCheckpointId,
    checkpoint: c.checkpoint,
    metadata: c.metadata,
  };
  c.blobs.forEach((b, i) => {
    values[`channel${i}`] = b.channel;
    values[`version${i}`] = b.version;
    values[`type${i}`] = b.type;
    values[`blob${i}`] = b.blob;
  });
  const blobCount = c.blobs.length;
  return { shape: `put-${blobCount}`, build: () => upsertCheckpointSql(blobCount), values };
}

function upsertCheckpointSql(blobCount: number): SQL {
  const row = sql`
    insert into ${cp} (thread_id, checkpoint_ns, checkpoint_id, parent_checkpoint_id, checkpoint, metadata)
    values (${p("threadId")}, ${p("checkpointNs")}, ${p("checkpointId")}, ${p("parentCheckpointId")},
            ${p("checkpoint")}::jsonb, ${p("metadata")}::jsonb)
    on conflict (thread_id, checkpoint_ns, checkpoint_id)
    do update set checkpoint = excluded.checkpoint, metadata = excluded.metadata`;
  if (blobCount === 0) return row;
  const values = sql.join(
    Array.from(
      { length: blobCount },
      (_, i) =>
        sql`(${p("threadId")}, ${p("checkpointNs")}, ${p(`channel${i}`)}, ${p(`version${i}`)}, ${p(`type${i}`)},
             ${p(`blob${i}`)}::bytea)`,
    ),
    sql`, `,
  );
  return sql`
    with new_blobs as (
      insert into ${blobs} (thread_id, checkpoint_ns, channel, version, type, blob)
      values ${values}
      on conflict (thread_id, checkpoint_ns, channel, version) do nothing
    )
    ${row}`;
}

/**
 * Store pending writes: a write already stored under its (task, idx) is kept (a retried task writes the same
 * thing), except for special channels (negative idx: ERROR, INTERRUPT, …), where the newest wins. One shape
 * per number of writes.
 */
export function upsertWrites(
  key: { threadId: string; checkpointNs: string; checkpointId: string },
  rows: readonly WriteRow[],
): ShapedStatement {
  const values: Record<string, unknown> = {
    threadId: key.threadId,
    checkpointNs: key.checkpointNs,
    checkpointId: key.checkpointId,
  };
  rows.forEach((w, i) => {
    values[`task${i}`] = w.taskId;
    values[`idx${i}`] = w.idx;
    values[`channel${i}`] = w.channel;
    values[`type${i}`] = w.type;
    values[`blob${i}`] = w.blob;
    values[`path${i}`] = w.taskPath;
  });
  const rowCount = rows.length;
  return { shape: `writes-${rowCount}`, build: () => upsertWritesSql(rowCount), values };
}

function upsertWritesSql(rowCount: number): SQL {
  const values = sql.join(
    Array.from(
      { length: rowCount },
      (_, i) =>
        sql`(${p("threadId")}, ${p("checkpointNs")}, ${p("checkpointId")}, ${p(`task${i}`)}, ${p(`idx${i}`)}::int,
             ${p(`channel${i}`)}, ${p(`type${i}`)}, ${p(`blob${i}`)}::bytea, ${p(`path${i}`)})`,
    ),
    sql`, `,
  );
  return sql`
    insert into ${writes} (thread_id, checkpoint_ns, checkpoint_id, task_id, idx, channel, type, blob, task_path)
    values ${values}
    on conflict (thread_id, checkpoint_ns, checkpoint_id, task_id, idx) do update
      set channel = excluded.channel, type = excluded.type, blob = excluded.blob, task_path = excluded.task_path
      where excluded.idx < 0`;
}

/** Everything of a thread, every namespace, in one statement (so one transaction). */
export function deleteThread(threadId: string): SQL {
  return sql`
    with gone_blobs as (delete from ${blobs} where thread_id = ${threadId}),
         gone_writes as (delete from ${writes} where thread_id = ${threadId})
    delete from ${cp} where thread_id = ${threadId}`;
}

/**
 * Threads (keys in the byte range `[keyFrom, keyTo)`, e.g. one tenant's) whose stored values in the given
 * channels, as blobs or pending writes, match `pattern` (a case-insensitive POSIX regex, bound as a value).
 * Only rows the serializer tagged "json" are read as text: they are UTF-8 JSON; other tags (bytes, an
 * encrypting serializer's) are never matched. For erasure: a sequential read of the range, rare by nature.
 */
export function selectThreadsMatching(p: {
  keyFrom: string;
  keyTo: string;
  channels: readonly string[];
  pattern: string;
}): SQL {
  const channels = sql.join(
    p.channels.map((c) => sql`${c}`),
    sql`, `,
  );
  const matching = (table: typeof blobs | typeof writes) => sql`
    select thread_id from ${table}
    where thread_id >= ${p.keyFrom} and thread_id < ${p.keyTo}
      and channel in (${channels}) and type = 'json'
      and convert_from(blob, 'UTF8') ~* ${p.pattern}`;
  return sql`${matching(blobs)} union ${matching(writes)} order by thread_id`;
}

/** The sealed values (type `pii1.…`) of `channels` in a key range, a page at a time after `(thread, ctid)`. */
export function selectSealedValues(p: {
  keyFrom: string;
  keyTo: string;
  channels: readonly string[];
  limit: number;
  offset: number;
}): SQL {
  const channels = sql.join(
    p.channels.map((c) => sql`${c}`),
    sql`, `,
  );
  const sealed = (table: typeof blobs | typeof writes) => sql`
    select thread_id, type, blob from ${table}
    where thread_id >= ${p.keyFrom} and thread_id < ${p.keyTo}
      and channel in (${channels}) and type like 'pii1.%' and blob is not null`;
  return sql`${sealed(blobs)} union all ${sealed(writes)} order by thread_id limit ${p.limit} offset ${p.offset}`;
}

/** Everything of these threads, every namespace, in one statement; returns what went. */
export function deleteThreads(threadIds: readonly string[]): SQL {
  const ids = sql.join(
    threadIds.map((id) => sql`${id}`),
    sql`, `,
  );
  return sql`
    with gone_blobs as (delete from ${blobs} where thread_id in (${ids}) returning 1),
         gone_writes as (delete from ${writes} where thread_id in (${ids}) returning 1),
         gone_checkpoints as (delete from ${cp} where thread_id in (${ids}) returning 1)
    select (select count(*) from gone_checkpoints)::int as checkpoints,
           (select count(*) from gone_writes)::int as writes,
           (select count(*) from gone_blobs)::int as blobs`;
}

/**
 * Advisory lock key that serializes retention runs across replicas (ASCII "ma:prune"): two prunes choosing
 * overlapping victims could otherwise deadlock on each other's row locks.
 */
export const PRUNE_LOCK_KEY = 0x6d_61_3a_70_72_75_6e_65n;

export function lockPrune(): SQL {
  return sql`select pg_advisory_xact_lock(${PRUNE_LOCK_KEY.toString()}::bigint)`;
}

export interface PruneSelection {
  /** Kept per (thread, namespace) by rank, newest first; the head is kept even when this is 0. */
  keepLast: number;
  /** Checkpoints created less than this many milliseconds ago are kept. */
  keepYoungerThanMs: number;
  threadId?: string;
  /** Most checkpoints deleted by this statement. */
  limit: number;
}

/**
 * One retention batch as one statement, so it sees one snapshot: a run that commits a checkpoint meanwhile
 * is simply not seen, and the head it builds on was the newest in the snapshot, which is kept.
 *
 * Victims: checkpoints ranked past `keepLast` in their (thread, namespace), older than the age limit, and
 * without an unanswered interrupt (an `__interrupt__` write and no `__resume__` write: a resume writes
 * `__resume__` onto the interrupted checkpoint). Their writes go with them; their blobs go when no
 * remaining checkpoint of the namespace points at the same (channel, version).
 */
export function pruneBatch(p: PruneSelection): SQL {
  const thread = p.threadId === undefined ? sql`` : sql`where thread_id = ${p.threadId}`;
  return sql`
    with ranked as (
      select thread_id, checkpoint_ns, checkpoint_id, created_at,
             row_number() over (partition by thread_id, checkpoint_ns order by checkpoint_id desc) as rank
      from ${cp}
      ${thread}
    ),
    victims as (
      select r.thread_id, r.checkpoint_ns, r.checkpoint_id
      from ranked r
      where r.rank > greatest(${p.keepLast}::int, 1)
        and r.created_at < now() - ${p.keepYoungerThanMs}::bigint * interval '1 millisecond'
        and not exists (
          select 1 from ${writes} i
          where i.thread_id = r.thread_id and i.checkpoint_ns = r.checkpoint_ns
            and i.checkpoint_id = r.checkpoint_id and i.channel = ${INTERRUPT}
            and not exists (
              select 1 from ${writes} x
              where x.thread_id = r.thread_id and x.checkpoint_ns = r.checkpoint_ns
                and x.checkpoint_id = r.checkpoint_id and x.channel = ${RESUME}
            )
        )
      order by r.thread_id, r.checkpoint_ns, r.checkpoint_id
      limit ${p.limit}::int
    ),
    gone_checkpoints as (
      delete from ${cp} c using victims v
      where c.thread_id = v.thread_id and c.checkpoint_ns = v.checkpoint_ns and c.checkpoint_id = v.checkpoint_id
      returning c.thread_id, c.checkpoint_ns, c.checkpoint
    ),
    gone_writes as (
      delete from ${writes} w using victims v
      where w.thread_id = v.thread_id and w.checkpoint_ns = v.checkpoint_ns and w.checkpoint_id = v.checkpoint_id
      returning 1
    ),
    candidates as (
      select distinct g.thread_id, g.checkpoint_ns, e.key as channel, e.value as version
      from gone_checkpoints g, jsonb_each_text(g.checkpoint -> 'channel_versions') e
    ),
    still_referenced as (
      select distinct k.thread_id, k.checkpoint_ns, e.key as channel, e.value as version
      from ${cp} k
      join (select distinct thread_id, checkpoint_ns from victims) t
        on t.thread_id = k.thread_id and t.checkpoint_ns = k.checkpoint_ns
      cross join jsonb_each_text(k.checkpoint -> 'channel_versions') e
      where not exists (
        select 1 from victims v
        where v.thread_id = k.thread_id and v.checkpoint_ns = k.checkpoint_ns and v.checkpoint_id = k.checkpoint_id
      )
    ),
    gone_blobs as (
      delete from ${blobs} b
      using (select * from candidates except select * from still_referenced) u
      where b.thread_id = u.thread_id and b.checkpoint_ns = u.checkpoint_ns
        and b.channel = u.channel and b.version = u.version
      returning 1
    )
    select (select count(*) from gone_checkpoints)::int as checkpoints,
           (select count(*) from gone_writes)::int as writes,
           (select count(*) from gone_blobs)::int as blobs`;
}
