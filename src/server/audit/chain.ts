import { createHash } from "node:crypto";
import type { AuditResult } from "../../db/schema.js";

/**
 * The audit hash chain, as pure functions. Each entry's `hash` is
 * `sha256(prev_hash || canonical JSON of its fields)`, and its `prev_hash` is the previous entry's `hash`
 * (the first entry's is `GENESIS_HASH`). Changing, removing, inserting or reordering any entry breaks the
 * link at that entry or the next one. Truncating the newest entries is not detectable from the chain alone:
 * that is what anchoring the head hash elsewhere is for (docs/security.md).
 */
export const GENESIS_HASH = "0".repeat(64);

/** What an entry records: who, tenant, what, on what, outcome, when (UTC), which request. Never tokens or PII. */
export interface AuditFields {
  at: Date;
  tenantId: string;
  actor: string;
  role: string | null;
  method: string;
  target: string | null;
  result: AuditResult;
  requestId: string | null;
}

export interface ChainedEntry extends AuditFields {
  id: number;
  prevHash: string | null;
  hash: string | null;
}

/**
 * Keys in a fixed (sorted) order and the time as ISO 8601 UTC with milliseconds: the same fields always
 * serialize to the same bytes, whichever driver read them back.
 */
export function canonicalJson(fields: AuditFields): string {
  return JSON.stringify({
    actor: fields.actor,
    at: fields.at.toISOString(),
    method: fields.method,
    requestId: fields.requestId,
    result: fields.result,
    role: fields.role,
    target: fields.target,
    tenantId: fields.tenantId,
  });
}

export function chainHash(prevHash: string, fields: AuditFields): string {
  return createHash("sha256").update(prevHash).update(canonicalJson(fields)).digest("hex");
}

/** Hashes a batch of new entries onto the chain whose newest hash is `head`. */
export function linkEntries<T extends AuditFields>(
  head: string,
  entries: readonly T[],
): (T & { prevHash: string; hash: string })[] {
  let prevHash = head;
  return entries.map((entry) => {
    const hash = chainHash(prevHash, entry);
    const linked = { ...entry, prevHash, hash };
    prevHash = hash;
    return linked;
  });
}

export type LinkProblem = "prev_hash_mismatch" | "hash_mismatch";

/**
 * Checks one entry against the hash of the entry before it. `prev_hash_mismatch`: an entry was removed,
 * inserted or reordered just before this one; `hash_mismatch`: this entry's fields were changed.
 */
export function checkLink(expectedPrev: string, entry: ChainedEntry): LinkProblem | undefined {
  if (entry.prevHash !== expectedPrev) return "prev_hash_mismatch";
  if (entry.hash !== chainHash(expectedPrev, entry)) return "hash_mismatch";
  return undefined;
}
