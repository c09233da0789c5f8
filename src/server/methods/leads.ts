import { z } from "zod";
import { LeadInput } from "../../db/lead-input.js";
import { getLead, upsertLead } from "../../db/leads.js";
import { NotFoundError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import { LeadOutput, leadToWire } from "./lead-wire.js";
import type { Services } from "./services.js";

export function leadMethods({ database }: Services) {
  return [
    defineMethod({
      name: "leads.upsert",
      description:
        "Creates a lead, or updates the one with the same id, or else the same email (case-insensitive). Returns the stored lead.",
      permission: "leads:write",
      params: z.object({ lead: LeadInput }).strict(),
      result: z.object({ lead: LeadOutput }),
      handler: async ({ lead }, ctx) => ({
        lead: leadToWire(await upsertLead(database.db, ctx.principal.tenantId, lead)),
      }),
    }),
    defineMethod({
      name: "leads.get",
      description: "Reads one lead by id, with its latest triage score and class.",
      permission: "leads:read",
      positional: ["id"],
      params: z.object({ id: z.uuid() }).strict(),
      result: z.object({ lead: LeadOutput }),
      handler: async ({ id }, ctx) => {
        const lead = await getLead(database.db, ctx.principal.tenantId, id);
        if (!lead) throw new NotFoundError("lead", id);
        return { lead: leadToWire(lead) };
      },
    }),
  ];
}
