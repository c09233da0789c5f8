/**
 * The suppression list: who must not be contacted, on which channel, and why. An unsubscribe stops
 * every channel: it is recorded here, sets the lead's `doNotEmail`, and cancels what is still waiting
 * in the outbox; the enqueue guard and the dispatcher both consult it, so no path sends again.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { outbox } from "../db/runs.schema.js";
import { leads } from "../db/schema.js";
import type { ChannelName } from "./adapter.js";
import { type LeadSuppression, leadSuppressions, type SuppressionScope } from "./channels.schema.js";

export interface SuppressionRequest {
  scope: SuppressionScope;
  reason: string;
  source: string;
}

/** Records a suppression (idempotent) and cancels the lead's pending messages it covers. Returns those cancelled. */
export async function suppressLead(
  db: Db,
  tenantId: string,
  leadId: string,
  request: SuppressionRequest,
): Promise<{ cancelled: number }> {
  return db.transaction(async (tx) => {
    await tx
      .insert(leadSuppressions)
      .values({ tenantId, leadId, ...request })
      .onConflictDoNothing();
    if (request.scope === "all" || request.scope === "email") {
      await tx
        .update(leads)
        .set({ doNotEmail: true })
        .where(and(eq(leads.tenantId, tenantId), eq(leads.id, leadId)));
    }
    const cancelled = await tx
      .update(outbox)
      .set({ status: "suppressed" })
      .where(
        and(
          eq(outbox.tenantId, tenantId),
          eq(outbox.leadId, leadId),
          eq(outbox.status, "pending"),
          ...(request.scope === "all" ? [] : [eq(outbox.channel, request.scope)]),
        ),
      )
      .returning({ id: outbox.id });
    return { cancelled: cancelled.length };
  });
}

export async function suppressionsOf(db: Db, tenantId: string, leadId: string): Promise<LeadSuppression[]> {
  return db
    .select()
    .from(leadSuppressions)
    .where(and(eq(leadSuppressions.tenantId, tenantId), eq(leadSuppressions.leadId, leadId)));
}

/** The suppression that stops `channel` for the lead, if any ("all" wins over the channel's own). */
export async function suppressionFor(
  db: Db,
  tenantId: string,
  leadId: string,
  channel: ChannelName,
): Promise<LeadSuppression | undefined> {
  const rows = await db
    .select()
    .from(leadSuppressions)
    .where(
      and(
        eq(leadSuppressions.tenantId, tenantId),
        eq(leadSuppressions.leadId, leadId),
        inArray(leadSuppressions.scope, ["all", channel]),
      ),
    );
  return rows.find((r) => r.scope === "all") ?? rows[0];
}
