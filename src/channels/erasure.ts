import { and, eq, inArray, sql } from "drizzle-orm";
import { type Db, queryRows } from "../db/client.js";
import { outbox } from "../db/runs.schema.js";
import { leads } from "../db/schema.js";
import { erasedContactSuppressions, leadSuppressions } from "./channels.schema.js";

/**
 * The channels' part of `memory.forget`, as erasers run in its transaction before the leads are deleted.
 * Typed structurally (not as memory's `PersonEraser`) so channels need not import the memory layer.
 */
export interface ErasedLeads {
  tenantId: string;
  leadIds: readonly string[];
}
export type ChannelEraser = (tx: Db, person: ErasedLeads) => Promise<Record<string, number>>;

/**
 * The messages written to the person's leads, sent or not, with their delivery records (by cascade). A
 * message still pending is never sent; one a dispatcher already holds ("sending") may still go out, and its
 * bookkeeping then updates nothing. Found by lead id only: bodies are encrypted and cannot be searched for
 * an email; messages of a lead never stored go with the thread that queued them (graph/thread-eraser.ts).
 */
export function outboxEraser(): ChannelEraser {
  return async (tx, person) => {
    if (person.leadIds.length === 0) return { outbox: 0 };
    const gone = await tx
      .delete(outbox)
      .where(and(eq(outbox.tenantId, person.tenantId), inArray(outbox.leadId, [...person.leadIds])))
      .returning({ id: outbox.id });
    return { outbox: gone.length };
  };
}

/**
 * Keeps the person's suppressions past the erasure, as `erased_contact_suppressions` rows holding only the
 * email's blind index, scope and source: erasure must not undo an unsubscribe. Must run while the leads
 * still exist (their suppressions go with them by cascade).
 */
export function suppressionKeeper(): ChannelEraser {
  return async (tx, person) => {
    if (person.leadIds.length === 0) return { suppressionsKept: 0 };
    const kept = await queryRows<{ scope: string }>(
      tx,
      sql`insert into ${erasedContactSuppressions} (tenant_id, email_bidx, scope, source)
          select s.tenant_id, l.email_bidx, s.scope, s.source
          from ${leadSuppressions} s
          join ${leads} l on l.tenant_id = s.tenant_id and l.id = s.lead_id
          where s.tenant_id = ${person.tenantId}
            and s.lead_id in (${sql.join(
              person.leadIds.map((id) => sql`${id}::uuid`),
              sql`, `,
            )})
            and l.email_bidx is not null
          on conflict do nothing
          returning scope`,
    );
    return { suppressionsKept: kept.length };
  };
}
