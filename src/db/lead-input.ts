import { z } from "zod";

/**
 * A lead as callers send it (JSON-RPC `leads.upsert`, `threads.run`, the CLI). Every field is optional
 * but a lead must be identifiable by name or email. Field names follow the foundation issue's shape.
 */
export const LeadInput = z
  .object({
    id: z.uuid().optional(),
    name: z.string().trim().min(1).max(200).optional(),
    email: z.email().max(320).optional(),
    company: z.string().trim().max(200).optional(),
    title: z.string().trim().max(200).optional(),
    source: z.string().trim().max(100).optional(),
    totalVisits: z.number().int().min(0).max(1_000_000).optional(),
    /** Seconds spent on the website in total. */
    timeOnSite: z.number().min(0).max(10_000_000).optional(),
    pageViewsPerVisit: z.number().min(0).max(10_000).optional(),
    /** The lead's most recent activity, e.g. "Email Opened", "Form Submitted", "Page Visited on Website". */
    lastActivity: z.string().trim().max(100).optional(),
    doNotEmail: z.boolean().optional(),
    notes: z.string().max(10_000).optional(),
  })
  .strict()
  .refine((lead) => lead.name !== undefined || lead.email !== undefined, {
    message: "a lead needs a name or an email",
  });

export type LeadInput = z.infer<typeof LeadInput>;
