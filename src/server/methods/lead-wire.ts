import { z } from "zod";
import type { LeadInput } from "../../db/lead-input.js";
import { leadInputOf, leadRecordOf } from "../../db/lead-record.js";
import type { Lead } from "../../db/schema.js";

/** A stored lead as the API returns it: nulls kept, dates as ISO 8601 strings. */
export const LeadOutput = z.object({
  id: z.string(),
  name: z.string().nullable(),
  email: z.string().nullable(),
  company: z.string().nullable(),
  title: z.string().nullable(),
  source: z.string().nullable(),
  totalVisits: z.number().nullable(),
  timeOnSite: z.number().nullable(),
  pageViewsPerVisit: z.number().nullable(),
  lastActivity: z.string().nullable(),
  doNotEmail: z.boolean(),
  notes: z.string().nullable(),
  stage: z.string(),
  score: z.number().nullable(),
  class: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
export type LeadOutput = z.infer<typeof LeadOutput>;

export function leadToWire(lead: Lead): LeadOutput {
  return leadRecordOf(lead);
}

/** A stored lead in the shape the agents read (absent fields omitted, not null). */
export function leadToInput(lead: Lead): LeadInput & { id: string } {
  return leadInputOf(lead);
}
