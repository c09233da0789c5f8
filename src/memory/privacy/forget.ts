import { and, eq, inArray, or, type SQL, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, queryRows } from "../../db/client.js";
import { emailIndex, openLeadField } from "../../db/pii/lead-fields.js";
import { piiOf } from "../../db/pii/registry.js";
import { leads, outcomeEvents } from "../../db/schema.js";
import { memoryEpisodes } from "../episodes/episodes.schema.js";
import { MemoryError, MemoryErrorCode } from "../errors.js";
import { memoryEntities, memoryEntityAliases, memoryFacts } from "../knowledge/knowledge.schema.js";
import { memoryExposures } from "../learning/learning.schema.js";
import { leadProfileChanges, leadProfiles } from "../profile/profile.schema.js";
import { memoryItems } from "../store/store.schema.js";

/**
 * GDPR erasure (Art. 17): remove a person's memories everywhere, in one transaction.
 *
 * The person is found by lead id and/or email (every lead of the tenant with that email, case-insensitive).
 * What goes: the leads themselves and everything keyed by them (outcome events, episodes, exposures, the
 * profile block and its change log, person entities linked to them, and those entities' facts); person
 * entities known by the email; store items whose namespace has the lead id or email as a label or whose
 * value mentions either; knowledge facts whose statement or value mentions the email. What stays: the
 * per-segment variant counts, which are anonymous aggregates (a number of trials, no person in them).
 *
 * Other capabilities holding personal data (thread checkpoints, the outbox) plug in an `eraser` that runs
 * inside the same transaction, before the leads are deleted.
 */
export const ForgetRequest = z
  .object({
    leadId: z.uuid().optional(),
    email: z.email().max(320).optional(),
  })
  .strict()
  .refine((r) => r.leadId !== undefined || r.email !== undefined, { message: "give a leadId or an email" });
export type ForgetRequest = z.input<typeof ForgetRequest>;

export interface ErasedPerson {
  tenantId: string;
  leadIds: string[];
  emails: string[];
}

/** Erases a person's data held by another capability; returns counts by kind for the report. */
export type PersonEraser = (tx: Db, person: ErasedPerson) => Promise<Record<string, number>>;

export interface ForgetReport {
  leadIds: string[];
  /** Rows removed per kind. */
  erased: Record<string, number>;
}

export async function forgetPerson(
  db: Db,
  tenantId: string,
  raw: ForgetRequest,
  erasers: readonly PersonEraser[] = [],
): Promise<ForgetReport> {
  const request = ForgetRequest.parse(raw);
  const pii = piiOf(db);
  return db.transaction(async (tx) => {
    const byLead: SQL[] = [];
    if (request.leadId) byLead.push(eq(leads.id, request.leadId));
    if (request.email) byLead.push(eq(leads.emailBidx, emailIndex(pii, tenantId, request.email)));
    const found = (
      await tx
        .select({ id: leads.id, email: leads.email })
        .from(leads)
        .where(and(eq(leads.tenantId, tenantId), or(...byLead)))
        .for("update")
    ).map((l) => ({ id: l.id, email: openLeadField(pii, "email", tenantId, l.email) }));
    if (found.length === 0 && request.email === undefined) {
      throw new MemoryError(MemoryErrorCode.NotFound, "lead not found", { lead: request.leadId });
    }
    const leadIds = found.map((l) => l.id);
    const emails = [
      ...new Set([request.email, ...found.map((l) => l.email)].flatMap((e) => (e ? [e.toLowerCase()] : []))),
    ];
    const person: ErasedPerson = { tenantId, leadIds, emails };
    const erased: Record<string, number> = {};
    const add = (kind: string, n: number) => {
      erased[kind] = (erased[kind] ?? 0) + n;
    };

    // Counted before the cascade removes them, so the report says what went.
    if (leadIds.length > 0) {
      for (const [kind, table, column] of [
        ["outcomeEvents", outcomeEvents, outcomeEvents.leadId],
        ["episodes", memoryEpisodes, memoryEpisodes.leadId],
        ["exposures", memoryExposures, memoryExposures.leadId],
        ["profiles", leadProfiles, leadProfiles.leadId],
        ["profileChanges", leadProfileChanges, leadProfileChanges.leadId],
      ] as const) {
        const [row] = await tx
          .select({ n: sql<number>`count(*)::int` })
          .from(table)
          .where(inArray(column, leadIds));
        add(kind, Number(row?.n ?? 0));
      }
    }

    // Person entities: linked to the leads, or known by the email. Their facts go with them (cascade).
    const entityConditions: SQL[] = [];
    if (leadIds.length > 0) entityConditions.push(inArray(memoryEntities.leadId, leadIds));
    if (emails.length > 0) {
      entityConditions.push(
        inArray(
          memoryEntities.id,
          tx
            .select({ id: memoryEntityAliases.entityId })
            .from(memoryEntityAliases)
            .where(
              and(
                eq(memoryEntityAliases.tenantId, tenantId),
                inArray(
                  memoryEntityAliases.aliasKey,
                  emails.map((e) => `email:${e}`),
                ),
              ),
            ),
        ),
      );
    }
    const entities = await tx
      .select({ id: memoryEntities.id })
      .from(memoryEntities)
      .where(and(eq(memoryEntities.tenantId, tenantId), or(...entityConditions)));
    if (entities.length > 0) {
      const ids = entities.map((e) => e.id);
      const [facts] = await tx
        .select({ n: sql<number>`count(*)::int` })
        .from(memoryFacts)
        .where(or(inArray(memoryFacts.subjectId, ids), inArray(memoryFacts.objectId, ids)));
      add("facts", Number(facts?.n ?? 0));
      await tx.delete(memoryEntities).where(inArray(memoryEntities.id, ids));
    }
    add("entities", entities.length);

    const mentions = [...leadIds, ...emails];
    if (mentions.length > 0) {
      const pattern = mentionPattern(mentions);
      const items = await queryRows<{ id: number }>(
        tx,
        sql`delete from ${memoryItems}
            where ${memoryItems.tenantId} = ${tenantId}
              and (exists (select 1 from unnest(${memoryItems.namespace}) label
                           where lower(label) in (${sql.join(
                             mentions.map((m) => sql`${m.toLowerCase()}`),
                             sql`, `,
                           )}))
                   or ${memoryItems.value}::text ~* ${pattern})
            returning ${memoryItems.id}`,
      );
      add("storeItems", items.length);
      const facts = await queryRows<{ id: number }>(
        tx,
        sql`delete from ${memoryFacts}
            where ${memoryFacts.tenantId} = ${tenantId}
              and (${memoryFacts.statement} ~* ${pattern} or coalesce(${memoryFacts.value}::text, '') ~* ${pattern})
            returning ${memoryFacts.id}`,
      );
      add("facts", facts.length);
    }

    // Erasers run while the leads still exist: some read what the leads' cascade is about to remove.
    for (const eraser of erasers) {
      for (const [kind, n] of Object.entries(await eraser(tx, person))) add(kind, n);
    }
    if (leadIds.length > 0) await tx.delete(leads).where(inArray(leads.id, leadIds));
    add("leads", leadIds.length);
    return { leadIds, erased };
  });
}

/**
 * A case-insensitive regex matching any of the identifiers as a whole token: "ann@x.com" must not match
 * inside "joann@x.com". Regex metacharacters are escaped here, so the pattern is data, not syntax.
 */
export function mentionPattern(identifiers: readonly string[]): string {
  const escaped = identifiers.map((id) => id.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&"));
  return `(^|[^a-z0-9._%+-])(${escaped.join("|")})($|[^a-z0-9_-])`;
}
