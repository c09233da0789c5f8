import type { LeadInput } from "../../db/lead-input.js";
import { LeadRecord, leadInputOf, leadRecordOf } from "../../db/lead-record.js";
import type { Lead } from "../../db/schema.js";

/** A stored lead as the API returns it: the same record MCP returns (`LeadRecord`). */
export const LeadOutput = LeadRecord;
export type LeadOutput = LeadRecord;

export function leadToWire(lead: Lead): LeadOutput {
  return leadRecordOf(lead);
}

/** A stored lead in the shape the agents read (absent fields omitted, not null). */
export function leadToInput(lead: Lead): LeadInput & { id: string } {
  return leadInputOf(lead);
}
