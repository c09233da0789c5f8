import type { LeadInput } from "../../db/lead-input.js";
import { leadInputOf } from "../../db/lead-record.js";
import type { CrmLead } from "./connector.js";

/** A CRM lead in the shape the agents read: absent values omitted (not null), pipeline fields dropped. */
export function crmLeadToInput(lead: CrmLead): LeadInput & { id: string } {
  return leadInputOf(lead);
}
