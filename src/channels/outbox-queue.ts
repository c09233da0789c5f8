/**
 * The outbox as a work queue: claiming due rows (safe across replicas: `FOR UPDATE SKIP LOCKED`, and a
 * lease so a crashed dispatcher's rows come back) and recording each row's fate. SQL only; the decisions
 * are the dispatcher's.
 */
import { and, asc, eq, isNull, lte, or, sql } from "drizzle-orm";
import type { PgUpdateSetSource } from "drizzle-orm/pg-core";
import type { Db } from "../db/client.js";
import { openLeadField } from "../db/pii/lead-fields.js";
import { openOutboxFields } from "../db/pii/outbox-fields.js";
import { piiOf } from "../db/pii/registry.js";
import { type OutboxMessage, outbox } from "../db/runs.schema.js";
import { leads } from "../db/schema.js";
import { outboxDeliveries } from "./channels.schema.js";

export type OutboxStatus = "pending" | "sending" | "sent" | "failed" | "suppressed";

export interface ClaimedMessage {
  row: OutboxMessage;
  /** Attempts including this one. */
  attempt: number;
  to: { leadId: string | null; name: string | null; email: string | null };
}

const seconds = (ms: number) => ms / 1000;

/** Claims up to `limit` due messages for `leaseMs`, oldest first, and counts the attempt. */
export async function claimDue(db: Db, limit: number, leaseMs: number): Promise<ClaimedMessage[]> {
  return db.transaction(async (tx) => {
    const due = await tx
      .select({ row: outbox, attempts: outboxDeliveries.attempts })
      .from(outbox)
      .leftJoin(outboxDeliveries, eq(outboxDeliveries.outboxId, outbox.id))
      .where(
        or(
          and(
            eq(outbox.status, "pending"),
            or(isNull(outboxDeliveries.nextAttemptAt), lte(outboxDeliveries.nextAttemptAt, sql`now()`)),
          ),
          and(eq(outbox.status, "sending"), lte(outboxDeliveries.leaseUntil, sql`now()`)),
        ),
      )
      .orderBy(asc(outbox.id))
      .limit(limit)
      .for("update", { of: outbox, skipLocked: true });
    const claimed: ClaimedMessage[] = [];
    for (const { row, attempts } of due) {
      await tx.update(outbox).set({ status: "sending" }).where(eq(outbox.id, row.id));
      const lease = sql`now() + make_interval(secs => ${seconds(leaseMs)})`;
      const [delivery] = await tx
        .insert(outboxDeliveries)
        .values({ outboxId: row.id, attempts: 1, leaseUntil: lease })
        .onConflictDoUpdate({
          target: outboxDeliveries.outboxId,
          set: { attempts: sql`${outboxDeliveries.attempts} + 1`, leaseUntil: lease, updatedAt: sql`now()` },
        })
        .returning({ attempts: outboxDeliveries.attempts });
      const [lead] = row.leadId
        ? await tx
            .select({ name: leads.name, email: leads.email })
            .from(leads)
            .where(and(eq(leads.tenantId, row.tenantId), eq(leads.id, row.leadId)))
        : [];
      const pii = piiOf(db);
      claimed.push({
        row: { ...openOutboxFields(pii, row), status: "sending" },
        attempt: delivery?.attempts ?? (attempts ?? 0) + 1,
        to: {
          leadId: row.leadId,
          name: openLeadField(pii, "name", row.tenantId, lead?.name ?? null),
          email: openLeadField(pii, "email", row.tenantId, lead?.email ?? null),
        },
      });
    }
    return claimed;
  });
}

async function finish(
  db: Db,
  outboxId: number,
  status: OutboxStatus,
  delivery: PgUpdateSetSource<typeof outboxDeliveries>,
): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.update(outbox).set({ status }).where(eq(outbox.id, outboxId));
    await tx
      .update(outboxDeliveries)
      .set({ ...delivery, leaseUntil: null, updatedAt: sql`now()` })
      .where(eq(outboxDeliveries.outboxId, outboxId));
  });
}

export const markSent = (db: Db, outboxId: number, providerId: string) =>
  finish(db, outboxId, "sent", { providerId, sentAt: sql`now()`, lastError: null });

export const markFailed = (db: Db, outboxId: number, error: string) =>
  finish(db, outboxId, "failed", { lastError: error });

export const markSuppressed = (db: Db, outboxId: number, reason: string) =>
  finish(db, outboxId, "suppressed", { lastError: reason });

/** Puts the message back in the queue, due again after `delayMs`. */
export const markRetry = (db: Db, outboxId: number, error: string, delayMs: number) =>
  finish(db, outboxId, "pending", {
    lastError: error,
    nextAttemptAt: sql`now() + make_interval(secs => ${seconds(delayMs)})`,
  });

/** One message's delivery record, for tests and operators. */
export async function deliveryOf(db: Db, outboxId: number) {
  const [row] = await db
    .select({ status: outbox.status, delivery: outboxDeliveries })
    .from(outbox)
    .leftJoin(outboxDeliveries, eq(outboxDeliveries.outboxId, outbox.id))
    .where(eq(outbox.id, outboxId));
  return row;
}
