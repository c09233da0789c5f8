import { sql } from "drizzle-orm";
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * Runs of the agent graph on threads, the events each run emitted (for resumable streams from any
 * replica), and the outbox where approved messages wait for a channel adapter.
 */
export const RUN_STATUSES = ["pending", "running", "interrupted", "success", "error", "cancelled"] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export const runs = pgTable(
  "runs",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: text("tenant_id").notNull(),
    threadId: text("thread_id").notNull(),
    status: text("status").$type<RunStatus>().notNull(),
    multitask: text("multitask").notNull(),
    error: text("error"),
    /** Set by the replica executing the run, every few seconds; a stale one means the replica died. */
    heartbeatAt: timestamp("heartbeat_at", { withTimezone: true }).notNull().defaultNow(),
    cancelRequested: integer("cancel_requested").notNull().default(0),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
    finishedAt: timestamp("finished_at", { withTimezone: true }),
  },
  (t) => [
    index("runs_thread_idx").on(t.tenantId, t.threadId, t.createdAt),
    // At most one run executes per thread, across every replica: the database enforces it.
    uniqueIndex("runs_one_running_per_thread").on(t.tenantId, t.threadId).where(sql`status = 'running'`),
  ],
);

export const runEvents = pgTable(
  "run_events",
  {
    runId: uuid("run_id")
      .notNull()
      .references(() => runs.id, { onDelete: "cascade" }),
    seq: integer("seq").notNull(),
    type: text("type").notNull(),
    data: jsonb("data").notNull(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.runId, t.seq] })],
);

export const outbox = pgTable(
  "outbox",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    tenantId: text("tenant_id").notNull(),
    /** Derived from the thread and the step, so a replayed step cannot queue the same message twice. */
    idempotencyKey: text("idempotency_key").notNull(),
    leadId: uuid("lead_id"),
    channel: text("channel").notNull(),
    variantId: text("variant_id").notNull(),
    subject: text("subject"),
    body: text("body").notNull(),
    approvedBy: text("approved_by"),
    status: text("status").notNull().default("pending"),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("outbox_idempotency").on(t.tenantId, t.idempotencyKey)],
);

export type Run = typeof runs.$inferSelect;
export type RunEvent = typeof runEvents.$inferSelect;
export type OutboxMessage = typeof outbox.$inferSelect;
