import type { LeadInput } from "../../db/lead-input.js";
import type { CrmLead } from "./connector.js";

/** A CRM lead in the shape the agents read: absent values omitted (not null), pipeline fields dropped. */
export function crmLeadToInput(lead: CrmLead): LeadInput & { id: string } {
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
