import { z } from "zod";
import type { Database } from "../../db/client.js";
import { AUDIT_RESULTS } from "../../db/schema.js";
import { defineMethod } from "../rpc/method.js";
import { listEntries } from "./store.js";
import { verifyAuditChain } from "./verify.js";
import type { AuditWriter } from "./writer.js";

const Entry = z.object({
  id: z.number(),
  at: z.string(),
  actor: z.string(),
  role: z.string().nullable(),
  method: z.string(),
  target: z.string().nullable(),
  result: z.enum(AUDIT_RESULTS),
  requestId: z.string().nullable(),
  hash: z.string().nullable(),
});

export function auditMethods(database: Database, writer: AuditWriter) {
  return [
    defineMethod({
      name: "audit.verify",
      description:
        "Walks the whole audit hash chain and reports the first broken link (an entry changed, removed, inserted or reordered), with the head hash to keep elsewhere.",
      permission: "audit:read",
      params: z.object({}).strict(),
      result: z.object({
        ok: z.boolean(),
        checked: z.number(),
        head: z.string(),
        lastId: z.number().nullable(),
        firstBroken: z
          .object({ id: z.number(), problem: z.enum(["prev_hash_mismatch", "hash_mismatch"]) })
          .optional(),
      }),
      handler: async () => {
        // Entries of calls made just before this one are still in the write queue: include them.
        await writer.flush();
        return verifyAuditChain(database.db);
      },
    }),
    defineMethod({
      name: "audit.list",
      description:
        "Lists the caller's tenant's audit entries, newest first; pass `before: next` for the next page.",
      permission: "audit:read",
      params: z
        .object({
          limit: z.number().int().min(1).max(500).default(100),
          before: z.number().int().positive().optional(),
          method: z.string().min(1).max(200).optional(),
          actor: z.string().min(1).max(256).optional(),
        })
        .strict(),
      result: z.object({ entries: z.array(Entry), next: z.number().nullable() }),
      handler: async ({ limit, before, method, actor }, ctx) => {
        await writer.flush();
        const rows = await listEntries(database.db, {
          tenantId: ctx.principal.tenantId,
          limit,
          ...(before === undefined ? {} : { before }),
          ...(method === undefined ? {} : { method }),
          ...(actor === undefined ? {} : { actor }),
        });
        return {
          entries: rows.map(({ tenantId: _tenant, prevHash: _prev, at, ...row }) => ({
            ...row,
            at: at.toISOString(),
          })),
          next: rows.length === limit ? rows[rows.length - 1]!.id : null,
        };
      },
    }),
  ];
}
