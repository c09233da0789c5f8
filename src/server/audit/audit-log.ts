import type { Database } from "../../db/client.js";
import type { Principal } from "../auth/permissions.js";
import type { CallRecord } from "../rpc/dispatcher.js";
import type { AnyMethod } from "../rpc/method.js";
import { auditMethods } from "./methods.js";
import { isAudited } from "./policy.js";
import { withAuditTargets } from "./targets.js";
import { type AuditWriter, type AuditWriterOptions, createAuditWriter } from "./writer.js";

export interface AuditLog {
  /** The dispatcher's `onCall` hook: one entry per audited call (`isAudited`), queued, never awaited. */
  onCall(record: CallRecord): void;
  /** Wraps methods so that each call's target (a lead id, a thread id) reaches its entry. */
  withTargets(methods: readonly AnyMethod[]): AnyMethod[];
  /** `audit.verify` and `audit.list`. */
  methods: AnyMethod[];
  writer: AuditWriter;
  close(): Promise<void>;
}

// Method names and request ids come from the client: keep only identifier-like values (no emails, no
// free text, bounded length), so the log can hold neither personal data nor injected lines.
const METHOD_NAME = /^[A-Za-z][\w.]{0,99}$/;
const REQUEST_ID = /^[\w.:-]{1,128}$/;

/** The audit log of JSON-RPC calls: who, tenant, method, target, outcome, UTC time, request id. */
export function createAuditLog(database: Database, options: AuditWriterOptions = {}): AuditLog {
  const writer = createAuditWriter(database.db, options);
  const targets = new WeakMap<Principal, string>();
  return {
    onCall(record) {
      if (!isAudited(record)) return;
      writer.record({
        at: new Date(),
        tenantId: record.principal.tenantId,
        actor: record.principal.subject,
        role: record.principal.role,
        method: METHOD_NAME.test(record.method) ? record.method : "(invalid method name)",
        target: targets.get(record.principal) ?? null,
        result: record.outcome,
        requestId: REQUEST_ID.test(record.requestId) ? record.requestId : null,
      });
    },
    withTargets: (methods) => withAuditTargets(methods, targets),
    methods: auditMethods(database, writer),
    writer,
    close: () => writer.close(),
  };
}
