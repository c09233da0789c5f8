import { customType, integer, jsonb, pgTable, primaryKey, text, timestamp } from "drizzle-orm/pg-core";

/**
 * Tables of the LangGraph checkpointer (short-term memory): one row per checkpoint, channel values as
 * blobs per (channel, version) so that a value unchanged across steps is stored once, and the pending
 * writes of each checkpoint. The layout follows the official PostgresSaver's (thread, namespace, id keys;
 * blobs addressed by the checkpoint's `channel_versions`), under our own table names so that both can live
 * in one database.
 */

/**
 * Key text compared byte-wise: checkpoint ids order by time only under a byte order, and LangGraph sorts
 * pending writes by code point (`compareWritesSortKeys`), which UTF-8 byte order equals. A server created
 * with an `en_US` collation would otherwise order these keys by linguistic rules.
 */
const keyText = customType<{ data: string; driverData: string }>({
  dataType: () => 'text collate "C"',
});

/** Serialized values (`SerializerProtocol.dumpsTyped`), which may be any bytes. */
const bytea = customType<{ data: Uint8Array; driverData: Uint8Array }>({
  dataType: () => "bytea",
});

export const threadCheckpoints = pgTable(
  "thread_checkpoints",
  {
    threadId: keyText("thread_id").notNull(),
    /** "" for the root graph, `node:task_id` (nested with `|`) for subgraphs. */
    checkpointNs: keyText("checkpoint_ns").notNull().default(""),
    /** uuid6: time-ordered, so the greatest id of a (thread, namespace) is its head. */
    checkpointId: keyText("checkpoint_id").notNull(),
    parentCheckpointId: keyText("parent_checkpoint_id"),
    /** The checkpoint without `channel_values` (those are blobs). */
    checkpoint: jsonb("checkpoint").notNull(),
    /** As jsonb so that `list({ filter })` is a containment query. */
    metadata: jsonb("metadata").notNull().default({}),
    /** Server clock, for the retention policy's age limit (the checkpoint's own `ts` is the writer's clock). */
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId] })],
);

export const threadCheckpointBlobs = pgTable(
  "thread_checkpoint_blobs",
  {
    threadId: keyText("thread_id").notNull(),
    checkpointNs: keyText("checkpoint_ns").notNull().default(""),
    channel: keyText("channel").notNull(),
    version: keyText("version").notNull(),
    /** The serializer's type tag, or "empty" for a channel that has a version but no value. */
    type: text("type").notNull(),
    blob: bytea("blob"),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.channel, t.version] })],
);

export const threadCheckpointWrites = pgTable(
  "thread_checkpoint_writes",
  {
    threadId: keyText("thread_id").notNull(),
    checkpointNs: keyText("checkpoint_ns").notNull().default(""),
    checkpointId: keyText("checkpoint_id").notNull(),
    taskId: keyText("task_id").notNull(),
    /** Negative for special channels (ERROR, INTERRUPT, …: `WRITES_IDX_MAP`), else the write's position. */
    idx: integer("idx").notNull(),
    channel: keyText("channel").notNull(),
    type: text("type").notNull(),
    blob: bytea("blob").notNull(),
    /** The task's path; pending writes are replayed in (task_path, task_id, idx) order. "" when unknown. */
    taskPath: keyText("task_path").notNull().default(""),
  },
  (t) => [primaryKey({ columns: [t.threadId, t.checkpointNs, t.checkpointId, t.taskId, t.idx] })],
);
