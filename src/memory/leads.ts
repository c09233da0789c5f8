import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client.js";
import { openLeadField } from "../db/pii/lead-fields.js";
import { piiOf } from "../db/pii/registry.js";
import { leads } from "../db/schema.js";
import { MemoryError, MemoryErrorCode } from "./errors.js";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** What memory needs to know about a lead: its segment inputs and the context episodes are embedded from. */
export interface LeadFacts {
  id: string;
  email: string | null;
  source: string | null;
  class: string | null;
  title: string | null;
  company: string | null;
  stage: string;
  lastActivity: string | null;
  score: number | null;
}

/** The tenant's lead, or `not_found` (a lead of another tenant is indistinguishable from none). */
export async function leadFacts(db: Db, tenantId: string, leadId: string): Promise<LeadFacts> {
  const [row] = UUID.test(leadId)
    ? await db
        .select({
          id: leads.id,
          email: leads.email,
          source: leads.source,
          class: leads.class,
          title: leads.title,
          company: leads.company,
          stage: leads.stage,
          lastActivity: leads.lastActivity,
          score: leads.score,
        })
        .from(leads)
        .where(and(eq(leads.tenantId, tenantId), eq(leads.id, leadId)))
    : [];
  if (row === undefined) throw new MemoryError(MemoryErrorCode.NotFound, "lead not found", { lead: leadId });
  return { ...row, email: openLeadField(piiOf(db), "email", tenantId, row.email) };
}
