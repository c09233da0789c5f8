import { z } from "zod";
import { LeadInput } from "../../db/lead-input.js";
import { getLead, upsertLead } from "../../db/leads.js";
import { NotFoundError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import { leadToInput } from "./lead-wire.js";
import type { Services } from "./services.js";

const LeadReference = z.object({ id: z.uuid() }).strict();

export const ThreadsRunParams = z
  .object({
    threadId: z
      .string()
      .min(1)
      .max(200)
      .regex(/^[\w.:-]+$/, "letters, digits and . _ : - only")
      .optional(),
    input: z
      .object({
        /** A lead to triage: full details (stored first), or `{ id }` of a stored lead. */
        lead: z.union([LeadReference, LeadInput]).optional(),
        message: z.string().trim().min(1).max(10_000).optional(),
      })
      .strict()
      .refine((i) => i.lead !== undefined || i.message !== undefined, {
        message: "input needs a lead or a message",
      }),
  })
  .strict();

const HandoffOutput = z.object({
  from: z.string(),
  to: z.string(),
  reason: z.string(),
  at: z.string(),
});

export function threadMethods({ database, runner }: Services) {
  return [
    defineMethod({
      name: "threads.run",
      description:
        "Runs the agents on a lead or a message in a thread (new unless threadId is given) and returns the final state with its handoff log.",
      permission: "threads:run",
      params: ThreadsRunParams,
      result: z.object({
        threadId: z.string(),
        state: z.looseObject({ handoffs: z.array(HandoffOutput) }),
      }),
      handler: async ({ threadId, input }, ctx) => {
        const tenantId = ctx.principal.tenantId;
        let lead: (LeadInput & { id: string }) | undefined;
        const reference = LeadReference.safeParse(input.lead);
        if (reference.success) {
          const stored = await getLead(database.db, tenantId, reference.data.id);
          if (!stored) throw new NotFoundError("lead", reference.data.id);
          lead = leadToInput(stored);
        } else if (input.lead) {
          lead = leadToInput(await upsertLead(database.db, tenantId, input.lead as LeadInput));
        }
        return runner.run(
          {
            tenantId,
            ...(threadId ? { threadId } : {}),
            input: { lead: lead ?? null, message: input.message ?? null },
          },
          { signal: ctx.signal },
        );
      },
    }),
  ];
}
