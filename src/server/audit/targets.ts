import type { Principal } from "../auth/permissions.js";
import type { AnyMethod } from "../rpc/method.js";

/**
 * What a call acted on, for the audit log: an id, never content. Values that do not look like identifiers
 * (an email, free text) are left out, so a method's params can never smuggle personal data into the log.
 */
const IDENTIFIER = /^[\w.:-]{1,200}$/;

/** Params naming what a call acts on, and the kind of thing each names. */
const namedKeys: readonly (readonly [key: string, kind: string])[] = [
  ["threadId", "thread"],
  ["leadId", "lead"],
  ["runId", "run"],
  ["campaignId", "campaign"],
  ["variantId", "variant"],
  ["jti", "token"],
];

const asRecord = (value: unknown) =>
  (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;

const targetIf = (value: unknown, kind: string) =>
  typeof value === "string" && IDENTIFIER.test(value) ? `${kind}:${value}` : undefined;

/** `leads.get` → `lead`: the kind a method's own `id` names. */
const ownKind = (method: string) => {
  const namespace = method.split(".")[0] ?? "";
  return namespace.endsWith("s") ? namespace.slice(0, -1) : namespace;
};

/** The first candidate that is an identifier, checked in order without building the list (per call). */
function targetOf(own: string, params: unknown, result: unknown): string | undefined {
  const p = asRecord(params);
  let target = targetIf(p.id, own);
  for (let i = 0; target === undefined && i < namedKeys.length; i++) {
    const [key, kind] = namedKeys[i] as (typeof namedKeys)[number];
    target = targetIf(p[key], kind);
  }
  if (target !== undefined) return target;
  const r = asRecord(result);
  return targetIf(asRecord(r[own]).id, own) ?? targetIf(r.threadId, "thread");
}

/**
 * `leads.get {id}` → `lead:<id>`; `threads.* {threadId}` → `thread:<id>`; a new object's id from the
 * result (`leads.upsert` → `result.lead.id`, `threads.run` → `result.threadId`); `auth.revoke` → `token:<jti>`.
 */
export function auditTarget(method: string, params: unknown, result: unknown): string | undefined {
  return targetOf(ownKind(method), params, result);
}

/**
 * Wraps each method's handler to note its target where the audit hook can find it. The dispatcher's
 * `onCall` record carries the call's principal but not its params; transports give every call its own
 * principal object, so a WeakMap keyed by it pairs each record with its target exactly, batches included.
 * Methods needing only `system:read` are returned as they are.
 */
export function withAuditTargets(
  methods: readonly AnyMethod[],
  targets: WeakMap<Principal, string>,
): AnyMethod[] {
  return methods.map((method) => {
    // A method needing only system:read names no tenant object, so there is no target to find; unwrapped,
    // a synchronous handler stays synchronous (health checks, bench.echo).
    if (method.permission === "system:read") return method;
    const own = ownKind(method.name);
    return {
      ...method,
      handler: async (params: unknown, ctx) => {
        let result: unknown;
        try {
          result = await method.handler(params, ctx);
          return result;
        } finally {
          const target = targetOf(own, params, result);
          if (target !== undefined) targets.set(ctx.principal, target);
        }
      },
    };
  });
}
