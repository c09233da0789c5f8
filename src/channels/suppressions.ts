/**
 * The suppression list: who must not be contacted, on which channel, and why. An unsubscribe stops
 * every channel: it is recorded here, sets the lead's `doNotEmail`, and cancels what is still waiting
 * in the outbox; the enqueue guard and the dispatcher both consult it, so no path sends again. It outlives
 * `memory.forget`: an erased person's suppressions are kept by their email's blind index, and apply to any
 * later lead with that address.
 */
import { and, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { outbox } from "../db/runs.schema.js";
import { leads } from "../db/schema.js";
import type { ChannelName } from "./adapter.js";
import {
  erasedContactSuppressions,
  type LeadSuppression,
  leadSuppressions,
  type SuppressionScope,
} from "./channels.schema.js";

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

/** What a suppression kept past an erasure says, in place of the original reason (which was erased). */
export const KEPT_AFTER_ERASURE =
  "suppressed before this address's data was erased (memory.forget); kept so it is not contacted again";

export async function suppressionsOf(db: Db, tenantId: string, leadId: string): Promise<LeadSuppression[]> {
  return suppressionsMatching(db, tenantId, leadId);
}

/** The suppression that stops `channel` for the lead, if any ("all" wins over the channel's own). */
export async function suppressionFor(
  db: Db,
  tenantId: string,
  leadId: string,
  channel: ChannelName,
): Promise<LeadSuppression | undefined> {
  const rows = await suppressionsMatching(db, tenantId, leadId, ["all", channel]);
  return rows.find((r) => r.scope === "all") ?? rows[0];
}

/** The lead's own suppressions, then those kept from an erased person with its email; optionally of `scopes` only. */
async function suppressionsMatching(
  db: Db,
  tenantId: string,
  leadId: string,
  scopes?: readonly SuppressionScope[],
): Promise<LeadSuppression[]> {
  const own = await db
    .select()
    .from(leadSuppressions)
    .where(
      and(
        eq(leadSuppressions.tenantId, tenantId),
        eq(leadSuppressions.leadId, leadId),
        ...(scopes ? [inArray(leadSuppressions.scope, [...scopes])] : []),
      ),
    );
  return [...own, ...(await keptForLead(db, tenantId, leadId, scopes))];
}

/**
 * Suppressions kept from an erased person whose email this lead has (`erased_contact_suppressions`, matched
 * by the email's blind index), in the shape of the lead's own.
 */
async function keptForLead(
  db: Db,
  tenantId: string,
  leadId: string,
  scopes?: readonly SuppressionScope[],
): Promise<LeadSuppression[]> {
  const rows = await db
    .select({
      scope: erasedContactSuppressions.scope,
      source: erasedContactSuppressions.source,
      createdAt: erasedContactSuppressions.createdAt,
    })
    .from(erasedContactSuppressions)
    .innerJoin(
      leads,
      and(
        eq(leads.tenantId, erasedContactSuppressions.tenantId),
        eq(leads.emailBidx, erasedContactSuppressions.emailBidx),
      ),
    )
    .where(
      and(
        eq(erasedContactSuppressions.tenantId, tenantId),
        eq(leads.id, leadId),
        ...(scopes ? [inArray(erasedContactSuppressions.scope, [...scopes])] : []),
      ),
    );
  return rows.map((row) => ({ tenantId, leadId, reason: KEPT_AFTER_ERASURE, ...row }));
}
