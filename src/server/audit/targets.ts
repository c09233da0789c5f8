import type { Principal } from "../auth/permissions.js";
import type { AnyMethod } from "../rpc/method.js";

/**
 * What a call acted on, for the audit log: an id, never content. Values that do not look like identifiers
 * (an email, free text) are left out, so a method's params can never smuggle personal data into the log.
 */
const IDENTIFIER = /^[\w.:-]{1,200}$/;

/** Params naming what a call acts on, and the kind of thing each names. */
const namedKeys: [key: string, kind: string][] = [
  ["threadId", "thread"],
  ["leadId", "lead"],
  ["runId", "run"],
  ["campaignId", "campaign"],
  ["variantId", "variant"],
  ["jti", "token"],
];

const asRecord = (value: unknown) =>
  (typeof value === "object" && value !== null ? value : {}) as Record<string, unknown>;

/**
 * `leads.get {id}` → `lead:<id>`; `threads.* {threadId}` → `thread:<id>`; a new object's id from the
 * result (`leads.upsert` → `result.lead.id`, `threads.run` → `result.threadId`); `auth.revoke` → `token:<jti>`.
 */
export function auditTarget(method: string, params: unknown, result: unknown): string | undefined {
  const p = asRecord(params);
  const r = asRecord(result);
  const namespace = method.split(".")[0] ?? "";
  const own = namespace.endsWith("s") ? namespace.slice(0, -1) : namespace;
  const candidates: [unknown, string][] = [
    [p.id, own],
    ...namedKeys.map(([key, kind]): [unknown, string] => [p[key], kind]),
    [asRecord(r[own]).id, own],
    [r.threadId, "thread"],
  ];
  for (const [value, kind] of candidates) {
    if (typeof value === "string" && IDENTIFIER.test(value)) return `${kind}:${value}`;
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
