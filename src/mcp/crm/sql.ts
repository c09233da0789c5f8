/**
 * The queries behind the default CRM connector, as drizzle queries (never concatenated SQL). They live here
 * rather than in `src/db/leads.ts` because they exist for the connector seam alone; each is scoped by
 * tenant like everything in `src/db/`.
 */
import { and, arrayContains, desc, eq, gte, ilike, or, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { openLead } from "../../db/leads.js";
import { emailIndex, nameTokenIndexes } from "../../db/pii/lead-fields.js";
import { piiOf } from "../../db/pii/registry.js";
import { type Lead, leads } from "../../db/schema.js";
import type { LeadSearch, LeadStage } from "./connector.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** `%` and `_` in the caller's text are literals, not wildcards. */
const likePattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;

/**
 * Text matches company and title by substring, and the encrypted name and email exactly, through their
 * blind indexes: a whole email address, or every word of the text among the name's words.
 */
export async function searchLeadRows(db: Db, tenantId: string, search: LeadSearch): Promise<Lead[]> {
  const pii = piiOf(db);
  const filters: (SQL | undefined)[] = [eq(leads.tenantId, tenantId)];
  if (search.text) {
    const pattern = likePattern(search.text);
    const words = nameTokenIndexes(pii, tenantId, search.text);
    filters.push(
      or(
        eq(leads.emailBidx, emailIndex(pii, tenantId, search.text)),
        words.length > 0 ? arrayContains(leads.nameBidx, words) : undefined,
        ilike(leads.company, pattern),
        ilike(leads.title, pattern),
      ),
    );
  }
  if (search.stage) filters.push(eq(leads.stage, search.stage));
  if (search.class) filters.push(eq(leads.class, search.class));
  if (search.source) filters.push(eq(leads.source, search.source));
  if (search.minScore !== undefined) filters.push(gte(leads.score, search.minScore));
  const rows = await db
    .select()
    .from(leads)
    .where(and(...filters))
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(search.limit)
    .offset(search.offset);
  return rows.map((row) => openLead(pii, row));
}

export async function updateLeadStage(
  db: Db,
  tenantId: string,
  id: string,
  stage: LeadStage,
): Promise<Lead | null> {
  if (!UUID.test(id)) return null;
  const [row] = await db
    .update(leads)
    .set({ stage, updatedAt: sql`now()` })
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .returning();
  return row ? openLead(piiOf(db), row) : null;
}

export interface SegmentRow {
  source: string | null;
  class: string | null;
  stage: string;
  leads: number;
  scored: number;
  scoreSum: number | null;
}

/** Lead counts per (source, class, stage): the segment summary groups them by the segment rule above this. */
export async function leadCountsBySegment(db: Db, tenantId: string): Promise<SegmentRow[]> {
  return db
    .select({
      source: leads.source,
      class: leads.class,
      stage: leads.stage,
      leads: sql<number>`count(*)::int`,
      scored: sql<number>`count(${leads.score})::int`,
      scoreSum: sql<number | null>`sum(${leads.score})::float8`,
    })
    .from(leads)
    .where(eq(leads.tenantId, tenantId))
    .groupBy(leads.source, leads.class, leads.stage);
}
