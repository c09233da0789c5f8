import type { Principal } from "../auth/permissions.js";
import type { AnyMethod } from "../rpc/method.js";

/**
 * What a call acted on, for the audit log: an id, never content. Values that do not look like identifiers
 * (an email, free text) are left out, so a method's params can never smuggle personal data into the log.
 */
const IDENTIFIER = /^[\w.:-]{1,200}$/;

type Extract = (params: Record<string, unknown>, result: Record<string, unknown> | undefined) => unknown;

const known: Record<string, [kind: string, extract: Extract]> = {
  "leads.get": ["lead", (p) => p.id],
  "leads.upsert": ["lead", (_, r) => (r?.lead as { id?: unknown } | undefined)?.id],
  "threads.run": ["thread", (p, r) => r?.threadId ?? p.threadId],
  "auth.revoke": ["token", (p) => p.jti],
};

/** For methods not listed above: the first id-like param. */
const genericKeys = ["id", "leadId", "threadId", "runId", "campaignId", "variantId", "jti"];

export function auditTarget(method: string, params: unknown, result: unknown): string | undefined {
  const p = (typeof params === "object" && params !== null ? params : {}) as Record<string, unknown>;
  const r = (typeof result === "object" && result !== null ? result : undefined) as
    | Record<string, unknown>
    | undefined;
  const rule = known[method];
  if (rule) {
    const value = rule[1](p, r);
    return typeof value === "string" && IDENTIFIER.test(value) ? `${rule[0]}:${value}` : undefined;
  }
  for (const key of genericKeys) {
    const value = p[key];
    if (typeof value === "string" && IDENTIFIER.test(value)) return `${key}:${value}`;
  }
  return undefined;
}

/**
 * Wraps each method's handler to note its target where the audit hook can find it. The dispatcher's
 * `onCall` record carries the call's principal but not its params; transports give every call its own
 * principal object, so a WeakMap keyed by it pairs each record with its target exactly, batches included.
 */
export function withAuditTargets(
  methods: readonly AnyMethod[],
  targets: WeakMap<Principal, string>,
): AnyMethod[] {
  return methods.map((method) => ({
    ...method,
    handler: async (params: unknown, ctx) => {
      let result: unknown;
      try {
        result = await method.handler(params, ctx);
        return result;
      } finally {
        const target = auditTarget(method.name, params, result);
        if (target !== undefined) targets.set(ctx.principal, target);
      }
    },
  }));
}
