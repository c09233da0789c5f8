import type { LeadInput } from "./lead-input.js";
import type { Lead } from "./schema.js";

/** A stored lead as it leaves the process (API, MCP): nulls kept, dates as ISO 8601 strings. */
export interface LeadRecord {
  id: string;
  name: string | null;
  email: string | null;
  company: string | null;
  title: string | null;
  source: string | null;
  totalVisits: number | null;
  timeOnSite: number | null;
  pageViewsPerVisit: number | null;
  lastActivity: string | null;
  doNotEmail: boolean;
  notes: string | null;
  stage: string;
  score: number | null;
  class: string | null;
  createdAt: string;
  updatedAt: string;
}

export function leadRecordOf(lead: Lead): LeadRecord {
  return {
    id: lead.id,
    name: lead.name,
    email: lead.email,
    company: lead.company,
    title: lead.title,
    source: lead.source,
    totalVisits: lead.totalVisits,
    timeOnSite: lead.timeOnSite,
    pageViewsPerVisit: lead.pageViewsPerVisit,
    lastActivity: lead.lastActivity,
    doNotEmail: lead.doNotEmail,
    notes: lead.notes,
    stage: lead.stage,
    score: lead.score,
    class: lead.class,
    createdAt: new Date(lead.createdAt).toISOString(),
    updatedAt: new Date(lead.updatedAt).toISOString(),
  };
}

/** A stored lead (row or record) in the shape the agents read: absent fields omitted, pipeline fields dropped. */
export function leadInputOf(lead: Pick<LeadRecord, keyof LeadInput | "id">): LeadInput & { id: string } {
  const fields = {
    id: lead.id,
    name: lead.name,
    email: lead.email,
    company: lead.company,
    title: lead.title,
    source: lead.source,
    totalVisits: lead.totalVisits,
    timeOnSite: lead.timeOnSite,
    pageViewsPerVisit: lead.pageViewsPerVisit,
    lastActivity: lead.lastActivity,
    doNotEmail: lead.doNotEmail,
    notes: lead.notes,
  };
  return Object.fromEntries(Object.entries(fields).filter(([, v]) => v !== null)) as LeadInput & {
    id: string;
  };
}
