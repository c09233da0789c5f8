import { and, asc, desc, eq, gt, lt, type SQL, sql } from "drizzle-orm";
import type { Db } from "../../db/client.js";
import { auditLog } from "../../db/schema.js";
import { type AuditFields, type ChainedEntry, GENESIS_HASH, linkEntries } from "./chain.js";

/**
 * The audit log's SQL. Appends are serialized across every process sharing the database by a
 * transaction-scoped advisory lock, so two replicas can never read the same head and fork the chain;
 * `pg_advisory_xact_lock` is released at commit or rollback, even if the process dies mid-write.
 */

/** Advisory lock key for audit appends: ASCII "ma:audit". */
export const AUDIT_LOCK_KEY = 0x6d_61_3a_61_75_64_69_74n;

/** Appends entries, in order, after the current head of the chain. */
export async function appendEntries(db: Db, entries: readonly AuditFields[]): Promise<void> {
  if (entries.length === 0) return;
  await db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(${AUDIT_LOCK_KEY.toString()}::bigint)`);
    const [head] = await tx
      .select({ hash: auditLog.hash })
      .from(auditLog)
      .orderBy(desc(auditLog.id))
      .limit(1);
    // One multi-row INSERT: ids come from the sequence in VALUES order, which is the chain order.
    await tx.insert(auditLog).values(linkEntries(head?.hash ?? GENESIS_HASH, entries));
  });
}

const entryColumns = {
  id: auditLog.id,
  at: auditLog.at,
  tenantId: auditLog.tenantId,
  actor: auditLog.actor,
  role: auditLog.role,
  method: auditLog.method,
  target: auditLog.target,
  result: auditLog.result,
  requestId: auditLog.requestId,
  prevHash: auditLog.prevHash,
  hash: auditLog.hash,
};

/** Entries after `afterId` in chain order (all tenants): for verification. */
export function readChainPage(db: Db, afterId: number, limit: number): Promise<ChainedEntry[]> {
  return db
    .select(entryColumns)
    .from(auditLog)
    .where(gt(auditLog.id, afterId))
    .orderBy(asc(auditLog.id))
    .limit(limit);
}

export interface ListFilter {
  tenantId: string;
  /** Only entries with an id below this (the previous page's last id). */
  before?: number;
  method?: string;
  actor?: string;
  limit: number;
}

/** One tenant's entries, newest first. */
export function listEntries(db: Db, filter: ListFilter): Promise<ChainedEntry[]> {
  const conditions: SQL[] = [eq(auditLog.tenantId, filter.tenantId)];
  if (filter.before !== undefined) conditions.push(lt(auditLog.id, filter.before));
  if (filter.method !== undefined) conditions.push(eq(auditLog.method, filter.method));
  if (filter.actor !== undefined) conditions.push(eq(auditLog.actor, filter.actor));
  return db
    .select(entryColumns)
    .from(auditLog)
    .where(and(...conditions))
    .orderBy(desc(auditLog.id))
    .limit(filter.limit);
}
