import { type SQL, type SQLWrapper, sql } from "drizzle-orm";

/**
 * The outbox idempotency key of a thread's send: `<thread key>:<step>`, the step being the handoffs so far.
 * A replayed step (a resumed or retried run) builds the same key, so the outbox queues the message once.
 */
export function outboxKeyOf(threadKey: string, step: number): string {
  return `${threadKey}:${step}`;
}

/** SQL for the thread key inside an outbox idempotency key: it drops the trailing `:<step>`. */
export function threadKeyOfOutboxKey(key: SQLWrapper): SQL {
  return sql`regexp_replace(${key}, ':[0-9]+$', '')`;
}
