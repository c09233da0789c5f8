import { z } from "zod";
import { can, type Permission } from "../auth/permissions.js";
import { RpcCode, RpcError, standardMessage, toWireError, type WireError, zodIssues } from "./errors.js";
import type { AnyMethod, CallContext } from "./method.js";
import { openRpcDocument } from "./openrpc.js";
import { nextRequestId } from "./request-id.js";

/** https://www.jsonrpc.org/specification#request_object */
export type JsonRpcId = string | number | null;

export type JsonRpcResponse =
  | { jsonrpc: "2.0"; result: unknown; id: JsonRpcId }
  | { jsonrpc: "2.0"; error: WireError; id: JsonRpcId };

interface ValidRequest {
  method: string;
  params: unknown;
  /** Absent for notifications, which get no response (spec §4.1). */
  id?: JsonRpcId;
}

/** One finished call, for audit, metrics and logs. */
export interface CallRecord {
  method: string;
  /** What the method declares; `null` for `rpc.discover`, which needs none; absent when no such method exists. */
  permission?: Permission | null;
  requestId: string;
  principal: CallContext["principal"];
  outcome: "ok" | "error" | "denied";
  code?: number;
  durationMs: number;
}

export interface DispatcherOptions {
  maxBatchSize?: number;
  /** Receives errors that became -32603, with the request id, for the server log. */
  logError?: (error: unknown, requestId: string, method: string) => void;
  onCall?: (record: CallRecord) => void;
  info?: { title: string; version: string };
}

/** Called once per call; returns a new object each time (the dispatcher completes it in place). */
export type ContextFactory = () => Omit<CallContext, "requestId"> & { requestId?: string };

export interface Dispatcher {
  /** Handles the raw text of one message (single or batch). Returns undefined when nothing is to be sent. */
  handleText(text: string, context: ContextFactory): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>;
  /** Handles an already-parsed payload. */
  handle(payload: unknown, context: ContextFactory): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined>;
  /** True when the message is one call to a method declared as streaming. */
  isStreamingCall(payload: unknown): boolean;
  readonly methods: ReadonlyMap<string, AnyMethod>;
}

const errorResponse = (id: JsonRpcId, code: RpcCode, data?: unknown): JsonRpcResponse => ({
  jsonrpc: "2.0",
  error:
    data === undefined
      ? { code, message: standardMessage(code) }
      : { code, message: standardMessage(code), data },
  id,
});

const namedParams = (names: readonly string[], values: unknown[]) =>
  Object.fromEntries(names.map((name, i) => [name, values[i]]));

/**
 * Zod's synchronous parse, which skips two promises per call; schemas with async refinements (zod throws
 * `$ZodAsyncError` for those) are parsed asynchronously as before.
 */
function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
): z.ZodSafeParseResult<z.output<T>> | Promise<z.ZodSafeParseResult<z.output<T>>> {
  try {
    return schema.safeParse(value);
  } catch (error) {
    if (error instanceof z.core.$ZodAsyncError) return schema.safeParseAsync(value);
    throw error;
  }
}

/** A promise of what `answer` returns or throws: a hook failing (onCall, logError) rejects, never throws. */
function settle<T>(answer: () => T): Promise<T> {
  try {
    return Promise.resolve(answer());
  } catch (error) {
    return Promise.reject(error);
  }
}

const isThenable = (value: unknown): value is PromiseLike<unknown> =>
  typeof (value as { then?: unknown } | null)?.then === "function";

const isId = (value: unknown): value is JsonRpcId =>
  value === null || typeof value === "string" || (typeof value === "number" && Number.isFinite(value));

function validateRequest(value: unknown): ValidRequest | { invalid: JsonRpcId } {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { invalid: null };
  const message = value as Record<string, unknown>;
  const hasId = Object.hasOwn(message, "id");
  // An id we cannot read is reported as null (spec §5: "If there was an error in detecting the id").
  const id = hasId && isId(message.id) ? message.id : null;
  if (message.jsonrpc !== "2.0" || typeof message.method !== "string") return { invalid: id };
  if (hasId && !isId(message.id)) return { invalid: null };
  const params = message.params;
  if (params !== undefined && (typeof params !== "object" || params === null)) return { invalid: id };
  return hasId ? { method: message.method, params, id } : { method: message.method, params };
}

export function createDispatcher(
  declared: readonly AnyMethod[],
  options: DispatcherOptions = {},
): Dispatcher {
  const methods = new Map<string, AnyMethod>();
  for (const method of declared) {
    if (methods.has(method.name)) throw new Error(`method declared twice: ${method.name}`);
    methods.set(method.name, method);
  }
  const maxBatchSize = options.maxBatchSize ?? 50;
  const info = options.info ?? { title: "marketing-agents", version: "0.0.0" };
  let discover: unknown;

  function call(request: ValidRequest, makeContext: ContextFactory): Promise<JsonRpcResponse | undefined> {
    const started = options.onCall ? performance.now() : 0;
    // A factory returns a new object per call, so it is completed in place rather than copied.
    const ctx = makeContext() as CallContext;
    ctx.requestId ??= nextRequestId();
    const method = methods.get(request.method);
    // A synchronous method (health, echo) is answered without a promise per step and without closures;
    // the transports await the one promise returned here either way.
    let result: unknown;
    try {
      result = invoke(request, method, ctx);
    } catch (error) {
      return settle(() => failed(request, method, ctx, started, error));
    }
    if (!isThenable(result)) {
      // Not through settle(): no closure on the common path. A throwing hook still rejects, as before.
      try {
        return Promise.resolve(succeeded(request, method, ctx, started, result));
      } catch (hookError) {
        return Promise.reject(hookError);
      }
    }
    return Promise.resolve(result).then(
      (value) => succeeded(request, method, ctx, started, value),
      (error: unknown) => failed(request, method, ctx, started, error),
    );
  }

  function succeeded(
    request: ValidRequest,
    method: AnyMethod | undefined,
    ctx: CallContext,
    started: number,
    result: unknown,
  ): JsonRpcResponse | undefined {
    finished(request, method, ctx, started, "ok");
    return request.id === undefined
      ? undefined
      : { jsonrpc: "2.0", result: result === undefined ? null : result, id: request.id };
  }

  function failed(
    request: ValidRequest,
    method: AnyMethod | undefined,
    ctx: CallContext,
    started: number,
    error: unknown,
  ): JsonRpcResponse | undefined {
    const wire = toWireError(error, ctx.requestId, (e) =>
      options.logError?.(e, ctx.requestId, request.method),
    );
    const denied = wire.code === RpcCode.Forbidden || wire.code === RpcCode.Unauthorized;
    finished(request, method, ctx, started, denied ? "denied" : "error", wire.code);
    return request.id === undefined ? undefined : { jsonrpc: "2.0", error: wire, id: request.id };
  }

  function finished(
    request: ValidRequest,
    method: AnyMethod | undefined,
    ctx: CallContext,
    started: number,
    outcome: CallRecord["outcome"],
    code?: number,
  ): void {
    if (!options.onCall) return;
    const record: CallRecord = {
      method: request.method,
      requestId: ctx.requestId,
      principal: ctx.principal,
      outcome,
      durationMs: performance.now() - started,
    };
    const permission = request.method === "rpc.discover" ? null : method?.permission;
    if (permission !== undefined) record.permission = permission;
    if (code !== undefined) record.code = code;
    options.onCall(record);
  }

  /** The checked result, or a promise of it when a step (validation, handler) is asynchronous. */
  function invoke(request: ValidRequest, method: AnyMethod | undefined, ctx: CallContext): unknown {
    if (request.method === "rpc.discover") {
      discover ??= openRpcDocument([...methods.values()], info);
      return discover;
    }
    if (!method) throw new RpcError(RpcCode.MethodNotFound);
    if (!can(ctx.principal, method.permission)) {
      throw new RpcError(RpcCode.Forbidden, "Forbidden", { permission: method.permission });
    }
    const raw =
      Array.isArray(request.params) && method.positional
        ? namedParams(method.positional, request.params)
        : request.params;
    const validating = validate(method.params, raw ?? {});
    return validating instanceof Promise
      ? validating.then((parsed) => runHandler(method, parsed, ctx))
      : runHandler(method, validating, ctx);
  }

  function runHandler(method: AnyMethod, parsed: z.ZodSafeParseResult<unknown>, ctx: CallContext): unknown {
    if (!parsed.success) throw new RpcError(RpcCode.InvalidParams, "Invalid params", zodIssues(parsed.error));
    const result = method.handler(parsed.data, ctx);
    return isThenable(result)
      ? Promise.resolve(result).then((value) => checkResult(method, value))
      : checkResult(method, result);
  }

  function checkResult(method: AnyMethod, result: unknown): unknown {
    const checking = validate(method.result, result);
    return checking instanceof Promise
      ? checking.then((checked) => checkedData(method, checked))
      : checkedData(method, checking);
  }

  function checkedData(method: AnyMethod, checked: z.ZodSafeParseResult<unknown>): unknown {
    if (!checked.success) {
      // Our bug, not the caller's: log the details, send Internal.
      throw new Error(`result of ${method.name} does not match its declaration`, { cause: checked.error });
    }
    return checked.data;
  }

  async function handleBatch(payload: unknown[], makeContext: ContextFactory) {
    if (payload.length === 0) return errorResponse(null, RpcCode.InvalidRequest);
    if (payload.length > maxBatchSize) {
      return errorResponse(null, RpcCode.InvalidRequest, {
        reason: `batch larger than ${maxBatchSize} calls`,
      });
    }
    const responses = await Promise.all(
      payload.map((item) => {
        const request = validateRequest(item);
        return "invalid" in request
          ? errorResponse(request.invalid, RpcCode.InvalidRequest)
          : call(request, makeContext);
      }),
    );
    const sent = responses.filter((r): r is JsonRpcResponse => r !== undefined);
    // A batch of notifications only gets nothing at all, never "[]" (spec §6).
    return sent.length === 0 ? undefined : sent;
  }

  // Not async: a single call returns call()'s own promise instead of wrapping it in another.
  function handle(
    payload: unknown,
    makeContext: ContextFactory,
  ): Promise<JsonRpcResponse | JsonRpcResponse[] | undefined> {
    if (Array.isArray(payload)) return handleBatch(payload, makeContext);
    const request = validateRequest(payload);
    if ("invalid" in request) return Promise.resolve(errorResponse(request.invalid, RpcCode.InvalidRequest));
    return call(request, makeContext);
  }

  return {
    methods,
    handle,
    handleText(text, makeContext) {
      let payload: unknown;
      try {
        payload = JSON.parse(text);
      } catch {
        return Promise.resolve(errorResponse(null, RpcCode.ParseError));
      }
      return handle(payload, makeContext);
    },
    isStreamingCall(payload) {
      if (typeof payload !== "object" || payload === null || Array.isArray(payload)) return false;
      const name = (payload as { method?: unknown }).method;
      return typeof name === "string" && methods.get(name)?.streaming === true;
    },
  };
}

export type { WireError };
