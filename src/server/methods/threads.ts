import { z } from "zod";
import { ApprovalDecision } from "../../agents/engagement/approval.js";
import { LeadInput } from "../../db/lead-input.js";
import { getLead, upsertLead } from "../../db/leads.js";
import { listThreads, ThreadBusyError, type ThreadCursor } from "../../db/runs.js";
import { RUN_STATUSES } from "../../db/runs.schema.js";
import type { RunEvent } from "../../graph/run-events.js";
import { RunnerError, type RunResult } from "../../graph/runner.js";
import { NotFoundError, RpcCode, RpcError } from "../rpc/errors.js";
import { type CallContext, defineMethod } from "../rpc/method.js";
import { leadToInput } from "./lead-wire.js";
import type { Services } from "./services.js";

const ThreadId = z
  .string()
  .min(1)
  .max(200)
  .regex(/^[\w.:-]+$/, "letters, digits and . _ : - only");
const LeadReference = z.object({ id: z.uuid() }).strict();
const Multitask = z.enum(["reject", "enqueue"]).default("reject");

const RunInputParams = z
  .object({
    /** A lead to triage: full details (stored first), or `{ id }` of a stored lead. */
    lead: z.union([LeadReference, LeadInput]).optional(),
    message: z.string().trim().min(1).max(10_000).optional(),
  })
  .strict()
  .refine((i) => i.lead !== undefined || i.message !== undefined, {
    message: "input needs a lead or a message",
  });

export const ThreadsRunParams = z
  .object({ threadId: ThreadId.optional(), input: RunInputParams, multitask: Multitask })
  .strict();

const HandoffOutput = z.object({ from: z.string(), to: z.string(), reason: z.string(), at: z.string() });
const RunOutput = z.object({
  threadId: z.string(),
  runId: z.string(),
  status: z.enum(["pending", "running", "interrupted", "success", "error", "cancelled"]),
  state: z.looseObject({ handoffs: z.array(HandoffOutput) }),
  interrupts: z.array(z.object({ id: z.string().nullable(), value: z.unknown() })),
  error: z.string().optional(),
});

const ResumeValue = z.object({ decision: ApprovalDecision }).strict();

/** Runner and database errors the caller can act on, as JSON-RPC errors. */
async function mapped<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof ThreadBusyError) {
      throw new RpcError(RpcCode.Conflict, error.message, {
        threadId: error.threadId,
        runningRunId: error.runningRunId ?? null,
      });
    }
    if (error instanceof RunnerError) {
      if (error.code === "not_interrupted") throw new RpcError(RpcCode.Conflict, error.message);
      if (error.code === "run_not_found") throw new RpcError(RpcCode.NotFound, error.message);
      if (error.code === "queue_timeout") throw new RpcError(RpcCode.Unavailable, error.message);
    }
    throw error;
  }
}

/** `threads.list` cursors are opaque to clients: base64url of the last item's run time and id. */
const encodeCursor = (cursor: ThreadCursor) => Buffer.from(JSON.stringify(cursor)).toString("base64url");
const CursorShape = z.object({ at: z.string().max(64), runId: z.uuid() }).strict();
function decodeCursor(text: string): ThreadCursor {
  try {
    const parsed = CursorShape.parse(JSON.parse(Buffer.from(text, "base64url").toString("utf8")));
    if (Number.isNaN(Date.parse(parsed.at))) throw new Error("not a time");
    return parsed;
  } catch {
    throw new RpcError(
      RpcCode.InvalidParams,
      "before is not a cursor from threads.list (pass nextBefore as it is)",
    );
  }
}

const notifyEvent = (ctx: CallContext) => (event: RunEvent) => ctx.notify("threads.event", event);

export function threadMethods({ database, runner }: Services) {
  async function resolveLead(tenantId: string, lead: z.infer<typeof RunInputParams>["lead"]) {
    const reference = LeadReference.safeParse(lead);
    if (reference.success) {
      const stored = await getLead(database.db, tenantId, reference.data.id);
      if (!stored) throw new NotFoundError("lead", reference.data.id);
      return leadToInput(stored);
    }
    return lead ? leadToInput(await upsertLead(database.db, tenantId, lead as LeadInput)) : null;
  }

  async function startRun(
    params: {
      threadId?: string | undefined;
      input: z.infer<typeof RunInputParams>;
      multitask: "reject" | "enqueue";
    },
    ctx: CallContext,
    onEvent?: (event: RunEvent) => void,
  ): Promise<RunResult> {
    const tenantId = ctx.principal.tenantId;
    const lead = await resolveLead(tenantId, params.input.lead);
    return mapped(() =>
      runner.run({
        tenantId,
        ...(params.threadId ? { threadId: params.threadId } : {}),
        input: { lead, message: params.input.message ?? null },
        multitask: params.multitask,
        signal: ctx.signal,
        ...(onEvent ? { onEvent } : {}),
      }),
    );
  }

  return [
    defineMethod({
      name: "threads.create",
      description: "Reserves a new thread id. Threads also come into being on their first run.",
      permission: "threads:run",
      params: z.object({}).strict(),
      result: z.object({ threadId: z.string() }),
      handler: () => ({ threadId: crypto.randomUUID() }),
    }),
    defineMethod({
      name: "threads.run",
      description:
        "Runs the agents on a lead or a message in a thread (new unless threadId is given) and returns the final state with its handoff log. multitask: reject (default) fails with -32002 while another run is in progress; enqueue waits its turn.",
      permission: "threads:run",
      params: ThreadsRunParams,
      result: RunOutput,
      handler: (params, ctx) => startRun(params, ctx),
    }),
    defineMethod({
      name: "threads.stream",
      description:
        "Like threads.run, but sends each run event as a threads.event notification (node updates, handoffs, tokens, interrupts, errors) before the final response. With runId (and after, the last seq seen) it replays and follows an existing run instead, from any replica. Over HTTP send Accept: text/event-stream.",
      permission: "threads:run",
      streaming: true,
      params: z
        .object({
          threadId: ThreadId.optional(),
          input: RunInputParams.optional(),
          multitask: Multitask,
          runId: z.uuid().optional(),
          after: z.number().int().min(0).optional(),
        })
        .strict()
        .refine((p) => (p.input === undefined) !== (p.runId === undefined), {
          message: "give either input (a new run) or runId (follow an existing run)",
        }),
      result: RunOutput,
      handler: (params, ctx) => {
        const lastEventId = ctx.lastEventId?.match(/^([0-9a-f-]{36}):(\d+)$/);
        const runId = params.runId ?? lastEventId?.[1];
        if (runId) {
          const after = params.after ?? (lastEventId ? Number(lastEventId[2]) : 0);
          return mapped(() =>
            runner.join({ tenantId: ctx.principal.tenantId, runId, after, onEvent: notifyEvent(ctx) }),
          );
        }
        return startRun({ ...params, input: params.input! }, ctx, notifyEvent(ctx));
      },
    }),
    defineMethod({
      name: "threads.resume",
      description:
        'Answers the interrupt a thread waits on and continues it: { decision: { action: "approve" } | { action: "edit", subject?, body } | { action: "reject", reason } }. Without value, continues a run that was cut short (e.g. by a crash) from its last checkpoint.',
      permission: "threads:run",
      params: z.object({ threadId: ThreadId, value: ResumeValue.optional(), multitask: Multitask }).strict(),
      result: RunOutput,
      handler: ({ threadId, value, multitask }, ctx) =>
        mapped(() =>
          runner.run({
            tenantId: ctx.principal.tenantId,
            threadId,
            ...(value ? { resume: { value: { ...value, by: ctx.principal.subject } } } : {}),
            multitask,
            signal: ctx.signal,
          }),
        ),
    }),
    defineMethod({
      name: "threads.get",
      description: "The thread's state at its head, or at a given checkpoint.",
      permission: "threads:read",
      params: z.object({ threadId: ThreadId, checkpointId: z.string().min(1).max(100).optional() }).strict(),
      result: z.object({
        threadId: z.string(),
        checkpointId: z.string().nullable(),
        createdAt: z.string(),
        next: z.array(z.string()),
        state: z.looseObject({ handoffs: z.array(HandoffOutput) }),
      }),
      handler: async ({ threadId, checkpointId }, ctx) => {
        const found = await runner.get(ctx.principal.tenantId, threadId, checkpointId);
        if (!found) throw new NotFoundError("thread", threadId);
        return {
          threadId,
          checkpointId: found.checkpointId,
          createdAt: found.createdAt,
          next: found.next,
          state: found.values,
        };
      },
    }),
    defineMethod({
      name: "threads.history",
      description:
        "The thread's checkpoints, newest first, paged: pass the previous page's nextBefore as before.",
      permission: "threads:read",
      params: z
        .object({
          threadId: ThreadId,
          limit: z.number().int().min(1).max(100).default(20),
          before: z.string().min(1).max(100).optional(),
        })
        .strict(),
      result: z.object({
        items: z.array(
          z.object({
            checkpointId: z.string(),
            parentCheckpointId: z.string().nullable(),
            createdAt: z.string().nullable(),
            step: z.number().nullable(),
            source: z.string().nullable(),
            next: z.array(z.string()),
            handoffs: z.number(),
          }),
        ),
        nextBefore: z.string().nullable(),
      }),
      handler: ({ threadId, limit, before }, ctx) =>
        runner.history(ctx.principal.tenantId, threadId, { limit, ...(before ? { before } : {}) }),
    }),
    defineMethod({
      name: "threads.list",
      description:
        'The tenant\'s threads by their latest run, newest first, paged (pass nextBefore as before). With status "interrupted": the approvals waiting for a person, each with what it asks (channel, subject, body, reason); answer one with threads.resume.',
      permission: "threads:read",
      params: z
        .object({
          status: z.enum(RUN_STATUSES).optional(),
          limit: z.number().int().min(1).max(100).default(20),
          before: z.string().min(1).max(200).optional(),
        })
        .strict(),
      result: z.object({
        items: z.array(
          z.object({
            threadId: z.string(),
            runId: z.string(),
            status: z.enum(RUN_STATUSES),
            createdAt: z.string(),
            finishedAt: z.string().nullable(),
            error: z.string().nullable(),
            interrupts: z.array(z.object({ id: z.string().nullable(), value: z.unknown() })),
          }),
        ),
        nextBefore: z.string().nullable(),
      }),
      handler: async ({ status, limit, before }, ctx) => {
        const page = await listThreads(database.db, ctx.principal.tenantId, {
          limit,
          ...(status ? { status } : {}),
          ...(before ? { before: decodeCursor(before) } : {}),
        });
        return { items: page.items, nextBefore: page.nextBefore ? encodeCursor(page.nextBefore) : null };
      },
    }),
    defineMethod({
      name: "threads.cancel",
      description:
        "Cancels the thread's running or queued runs (or one of them). A cancelled run writes no later checkpoint.",
      permission: "threads:run",
      params: z.object({ threadId: ThreadId, runId: z.uuid().optional() }).strict(),
      result: z.object({ cancelled: z.array(z.string()) }),
      handler: async ({ threadId, runId }, ctx) => ({
        cancelled: await runner.cancel(ctx.principal.tenantId, threadId, runId),
      }),
    }),
    defineMethod({
      name: "threads.delete",
      description: "Deletes a thread: its checkpoints and its runs with their events.",
      permission: "threads:run",
      params: z.object({ threadId: ThreadId }).strict(),
      result: z.object({ deleted: z.boolean(), runs: z.number() }),
      handler: async ({ threadId }, ctx) => {
        const runs = await runner.delete(ctx.principal.tenantId, threadId);
        return { deleted: true, runs };
      },
    }),
  ];
}
