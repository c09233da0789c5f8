import { z } from "zod";
import { LEAD_STAGES } from "../crm/connector.js";
import { NotFoundError } from "../errors.js";
import { defineTool } from "../tool.js";
import { CrmLeadOutput } from "./outputs.js";

const LeadId = z.uuid().describe("The lead's id (uuid).");
const OneLead = z.object({ lead: CrmLeadOutput });

export const leadsSearch = defineTool({
  name: "leads_search",
  title: "Search leads",
  description:
    "Searches the caller's tenant's leads, newest first. `text` matches name, email, company or title (case-insensitive); the other fields filter exactly.",
  permission: "leads:read",
  input: z
    .object({
      text: z.string().trim().min(1).max(200).optional(),
      stage: z.enum(LEAD_STAGES).optional(),
      class: z.enum(["hot", "warm", "cold", "disqualified"]).optional(),
      source: z.string().trim().min(1).max(100).optional(),
      minScore: z.number().min(0).max(1).optional(),
      limit: z.number().int().min(1).max(100).default(20),
      offset: z.number().int().min(0).max(100_000).default(0),
    })
    .strict(),
  output: z.object({ leads: z.array(CrmLeadOutput).describe("Newest first; at most `limit`.") }),
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  run: async (args, { principal, deps }) => ({
    leads: await deps.crm.searchLeads(principal.tenantId, args),
  }),
});

export const leadGet = defineTool({
  name: "lead_get",
  title: "Get a lead",
  description:
    "Reads one lead of the caller's tenant by id, with its stage and latest triage score and class.",
  permission: "leads:read",
  input: z.object({ id: LeadId }).strict(),
  output: OneLead,
  annotations: { readOnlyHint: true, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  target: (args) => args.id,
  async run({ id }, { principal, deps }) {
    const lead = await deps.crm.getLead(principal.tenantId, id);
    if (!lead) throw new NotFoundError("lead", id);
    return { lead };
  },
});

export const leadUpdateStage = defineTool({
  name: "lead_update_stage",
  title: "Move a lead to a stage",
  description: `Sets a lead's pipeline stage (${LEAD_STAGES.join(", ")}). Setting the stage it already has changes nothing.`,
  permission: "leads:write",
  input: z.object({ id: LeadId, stage: z.enum(LEAD_STAGES) }).strict(),
  output: OneLead,
  annotations: { readOnlyHint: false, destructiveHint: false, idempotentHint: true, openWorldHint: false },
  target: (args) => args.id,
  async run({ id, stage }, { principal, deps }) {
    const lead = await deps.crm.updateStage(principal.tenantId, id, stage);
    if (!lead) throw new NotFoundError("lead", id);
    return { lead };
  },
});
