/**
 * Long-term memory methods: the tenant's LangGraph store (put, search) and GDPR erasure. The tenant is
 * always the caller's: nothing here takes a tenant from the params.
 */
import { z } from "zod";
import { MemoryError, type MemoryErrorCode } from "../../memory/errors.js";
import { ForgetRequest } from "../../memory/privacy/forget.js";
import { createMemory, type Memory } from "../../memory/service.js";
import { RpcCode, RpcError } from "../rpc/errors.js";
import { defineMethod } from "../rpc/method.js";
import type { Services } from "./services.js";

const Label = z.string().min(1).max(200);
const Namespace = z.array(Label).min(1).max(10);

const ItemOutput = z.object({
  namespace: z.array(z.string()),
  key: z.string(),
  value: z.record(z.string(), z.unknown()),
  createdAt: z.string(),
  updatedAt: z.string(),
  score: z.number().optional(),
});

const rpcCodes: Record<MemoryErrorCode, (typeof RpcCode)[keyof typeof RpcCode]> = {
  invalid_vector: RpcCode.Internal,
  embedder_mismatch: RpcCode.Unavailable,
  invalid_filter: RpcCode.InvalidParams,
  invalid_namespace: RpcCode.InvalidParams,
  invalid_input: RpcCode.InvalidParams,
  not_found: RpcCode.NotFound,
  idempotency_conflict: RpcCode.Conflict,
  thread_busy: RpcCode.Conflict,
};

/**
 * Runs a memory operation, answering its typed errors with their JSON-RPC codes. A wrong-size vector is
 * the server's misconfiguration (its embedding model), not the caller's mistake: Internal, logged.
 */
export async function memoryCall<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (!(error instanceof MemoryError) || error.code === "invalid_vector") throw error;
    throw new RpcError(
      rpcCodes[error.code],
      error.message,
      { reason: error.code, ...error.details },
      { cause: error },
    );
  }
}

/** The memory the methods use: the system's, or one on the server's database with the offline embedder. */
export function memoryOf(services: Services): Memory {
  return services.memory ?? createMemory({ db: services.database.db });
}

function itemToWire(item: {
  namespace: string[];
  key: string;
  value: Record<string, unknown>;
  createdAt: Date;
  updatedAt: Date;
  score?: number;
}) {
  return {
    namespace: item.namespace,
    key: item.key,
    value: item.value,
    createdAt: item.createdAt.toISOString(),
    updatedAt: item.updatedAt.toISOString(),
    ...(item.score === undefined ? {} : { score: item.score }),
  };
}

export function memoryMethods(services: Services) {
  const memory = memoryOf(services);
  return [
    defineMethod({
      name: "memory.put",
      description:
        "Stores a JSON object under a namespace and key in the caller's long-term memory (replacing any value there), indexed for semantic and keyword search (`index`: fields to embed, or false). `ttl` in minutes.",
      permission: "memory:write",
      params: z
        .object({
          namespace: Namespace,
          key: z.string().min(1).max(512),
          value: z.record(z.string(), z.json()),
          index: z.union([z.literal(false), z.array(z.string().min(1).max(200)).max(20)]).optional(),
          ttl: z.number().int().positive().max(5_256_000).optional(),
        })
        .strict(),
      result: z.object({ item: ItemOutput }),
      handler: ({ namespace, key, value, index, ttl }, ctx) =>
        memoryCall(async () => ({
          item: itemToWire(
            await memory.forTenant(ctx.principal.tenantId).put(namespace, key, value, {
              ...(index === undefined ? {} : { index }),
              ...(ttl ? { ttl } : {}),
            }),
          ),
        })),
    }),
    defineMethod({
      name: "memory.search",
      description:
        "Searches the caller's long-term memory under a namespace prefix: by meaning (`mode` semantic, the default), by words (keyword) or both fused (hybrid), with optional filters ($eq $ne $gt $gte $lt $lte $in). Without a query, lists the newest items.",
      permission: "memory:read",
      params: z
        .object({
          namespace: z.array(Label).max(10),
          query: z.string().max(2_000).optional(),
          limit: z.number().int().min(1).max(100).optional(),
          offset: z.number().int().min(0).max(10_000).optional(),
          filter: z.record(z.string(), z.unknown()).optional(),
          mode: z.enum(["semantic", "keyword", "hybrid"]).optional(),
        })
        .strict(),
      result: z.object({ items: z.array(ItemOutput) }),
      handler: ({ namespace, ...options }, ctx) =>
        memoryCall(async () => ({
          items: (await memory.forTenant(ctx.principal.tenantId).search(namespace, options)).map(itemToWire),
        })),
    }),
    defineMethod({
      name: "memory.forget",
      description:
        "Erases a person's memories everywhere (GDPR Art. 17): their lead(s), outcomes, episodes, profile, knowledge-graph person and facts naming them, store items naming them, and the threads about them (checkpoints, runs, run events). Identify them by leadId and/or email. Returns what was removed, by kind. -32002 while a run is in progress on one of their threads: cancel it or wait, then call again.",
      permission: "memory:write",
      params: ForgetRequest,
      result: z.object({ leadIds: z.array(z.string()), erased: z.record(z.string(), z.number()) }),
      handler: (request, ctx) => memoryCall(() => memory.forTenant(ctx.principal.tenantId).forget(request)),
    }),
  ];
}
