import { and, asc, eq, gt, sql } from "drizzle-orm";
import { type Db, queryRows } from "../client.js";
import { outbox, runEvents } from "../runs.schema.js";
import { leads } from "../schema.js";
import type { PiiCipher } from "./cipher.js";
import { LEAD_PII_FIELDS, openLeadFields, sealLeadFields } from "./lead-fields.js";
import { openOutboxFields, sealOutboxFields } from "./outbox-fields.js";
import { piiOf } from "./registry.js";
import { openRunEventData, runEventIsStale, sealRunEventData } from "./run-event-fields.js";

export interface RotationOptions {
  /** Rows read per transaction (default 200). */
  batchSize?: number;
  /** Rewrite every row, not only stale ones: after the blind-index key changed. */
  all?: boolean;
  /** Count what would change, write nothing. */
  dryRun?: boolean;
  onProgress?: (progress: { table: string; scanned: number; rewritten: number }) => void;
}

export interface RotationReport {
  scanned: number;
  rewritten: number;
}

/**
 * The one rotation loop: rows in key order, a batch per transaction (locked while rewritten), each rewritten
 * when `stale` says so (or always with `all`). A crash leaves every row either old or new, both readable
 * while the old key is still configured, and a rerun continues.
 */
async function rewriteInBatches<Row, Key>(
  db: Db,
  table: string,
  options: RotationOptions,
  steps: {
    first: Key;
    page: (tx: Db, after: Key, limit: number) => PromiseLike<Row[]>;
    keyOf: (row: Row) => Key;
    stale: (row: Row) => boolean;
    rewrite: (tx: Db, row: Row) => Promise<unknown>;
  },
): Promise<RotationReport> {
  const batchSize = options.batchSize ?? 200;
  const report = { scanned: 0, rewritten: 0 };
  let after = steps.first;
  for (;;) {
    const done = await db.transaction(async (tx) => {
      const rows = await steps.page(tx, after, batchSize);
      for (const row of rows) {
        report.scanned++;
        if (!(options.all || steps.stale(row))) continue;
        report.rewritten++;
        if (!options.dryRun) await steps.rewrite(tx, row);
      }
      if (rows.length > 0) after = steps.keyOf(rows[rows.length - 1]!);
      return rows.length < batchSize;
    });
    options.onProgress?.({ table, ...report });
    if (done) return report;
  }
}

/**
 * Re-encrypts the leads whose PII is plaintext (written before encryption) or sealed under a key other than
 * the active one, and recomputes their blind indexes.
 */
export async function rotateLeadKeys(db: Db, options: RotationOptions = {}): Promise<RotationReport> {
  const pii = piiOf(db);
  return rewriteInBatches(db, "leads", options, {
    first: "00000000-0000-0000-0000-000000000000",
    page: (tx, after, limit) =>
      tx
        .select({
          id: leads.id,
          tenantId: leads.tenantId,
          name: leads.name,
          email: leads.email,
          notes: leads.notes,
          emailBidx: leads.emailBidx,
          nameBidx: leads.nameBidx,
        })
        .from(leads)
        .where(gt(leads.id, after))
        .orderBy(asc(leads.id))
        .limit(limit)
        .for("update"),
    keyOf: (row) => row.id,
    stale: (row) => leadIsStale(pii, row),
    rewrite: (tx, row) => {
      const plain = openLeadFields(pii, row);
      return tx
        .update(leads)
        .set(sealLeadFields(pii, row.tenantId, { name: plain.name, email: plain.email, notes: plain.notes }))
        .where(eq(leads.id, row.id));
    },
  });
}

type LeadPiiRow = {
  tenantId: string;
  name: string | null;
  email: string | null;
  notes: string | null;
  emailBidx: string | null;
  nameBidx: string[] | null;
};

function leadIsStale(pii: PiiCipher, row: LeadPiiRow): boolean {
  if (LEAD_PII_FIELDS.some((field) => pii.isStale(row[field]))) return true;
  // Rows from before blind indexes: ciphertext-free but unindexed, so lookups by email would miss them.
  return (row.email !== null && row.emailBidx === null) || (row.name !== null && row.nameBidx === null);
}

/** The same for queued and sent messages' subject and body. */
export async function rotateOutboxKeys(db: Db, options: RotationOptions = {}): Promise<RotationReport> {
  const pii = piiOf(db);
  return rewriteInBatches(db, "outbox", options, {
    first: 0,
    page: (tx, after, limit) =>
      tx
        .select({ id: outbox.id, tenantId: outbox.tenantId, subject: outbox.subject, body: outbox.body })
        .from(outbox)
        .where(gt(outbox.id, after))
        .orderBy(asc(outbox.id))
        .limit(limit)
        .for("update"),
    keyOf: (row) => row.id,
    stale: (row) => pii.isStale(row.subject) || pii.isStale(row.body),
    rewrite: (tx, row) =>
      tx
        .update(outbox)
        .set(sealOutboxFields(pii, openOutboxFields(pii, row)))
        .where(eq(outbox.id, row.id)),
  });
}

/** The same for what runs streamed (`run_events.data`), in (run, sequence) order. */
export async function rotateRunEventKeys(db: Db, options: RotationOptions = {}): Promise<RotationReport> {
  const pii = piiOf(db);
  return rewriteInBatches(db, "run events", options, {
    first: { runId: "00000000-0000-0000-0000-000000000000", seq: 0 },
    page: (tx, after, limit) =>
      tx
        .select({ runId: runEvents.runId, seq: runEvents.seq, data: runEvents.data })
        .from(runEvents)
        .where(sql`(${runEvents.runId}, ${runEvents.seq}) > (${after.runId}::uuid, ${after.seq}::int)`)
        .orderBy(asc(runEvents.runId), asc(runEvents.seq))
        .limit(limit)
        .for("update"),
    keyOf: (row) => ({ runId: row.runId, seq: row.seq }),
    stale: (row) => runEventIsStale(pii, row.data),
    rewrite: (tx, row) =>
      tx
        .update(runEvents)
        .set({ data: sealRunEventData(pii, row.runId, openRunEventData(pii, row.runId, row.data)) })
        .where(and(eq(runEvents.runId, row.runId), eq(runEvents.seq, row.seq))),
  });
}

/**
 * The ciphertext-only CHECK constraints of migrations 0014 and 0018, added NOT VALID: old rows were not
 * checked.
 */
const CIPHERTEXT_CHECKS = [
  { table: "leads", constraint: "leads_pii_ciphertext_check" },
  { table: "outbox", constraint: "outbox_pii_ciphertext_check" },
  { table: "run_events", constraint: "run_events_pii_ciphertext_check" },
] as const;

/**
 * The ciphertext checks not validated yet: `pending` also counts one that was dropped by hand (its rows are
 * then scanned at every start), `present` only those the database has, which can be validated.
 */
async function unvalidatedChecks(db: Db) {
  const rows = await queryRows<{ constraint: string; validated: boolean }>(
    db,
    sql`select conname as "constraint", convalidated as validated from pg_constraint
        where contype = 'c' and conname in (${sql.join(
          CIPHERTEXT_CHECKS.map((c) => sql`${c.constraint}`),
          sql`, `,
        )})`,
  );
  const state = (c: (typeof CIPHERTEXT_CHECKS)[number]) => rows.find((r) => r.constraint === c.constraint);
  const pending = CIPHERTEXT_CHECKS.filter((c) => !state(c)?.validated);
  return { pending, present: pending.filter((c) => state(c) !== undefined) };
}

/**
 * At startup: encrypt what an older version stored in plaintext, so the ciphertext-only CHECK constraints
 * hold for every row, then VALIDATE them: the database has then checked every row, and later starts skip
 * the scan altogether (one catalog query). Validation takes a lock that blocks neither reads nor writes.
 */
export async function encryptLegacyRows(db: Db): Promise<RotationReport> {
  const { pending, present } = await unvalidatedChecks(db);
  if (pending.length === 0) return { scanned: 0, rewritten: 0 };
  const [legacy] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(leads)
    .where(
      sql`(${leads.email} is not null and (${leads.emailBidx} is null or ${leads.email} not like 'pii1.%'))
        or (${leads.name} is not null and (${leads.nameBidx} is null or ${leads.name} not like 'pii1.%'))
        or (${leads.notes} is not null and ${leads.notes} not like 'pii1.%')`,
    );
  const [legacyOutbox] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(outbox)
    .where(sql`${outbox.body} not like 'pii1.%'`);
  const [legacyEvents] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(runEvents)
    .where(
      sql`jsonb_typeof(${runEvents.data}) <> 'string' or (${runEvents.data} #>> '{}') not like 'pii1.%'`,
    );
  const report = { scanned: 0, rewritten: 0 };
  for (const [count, rotate] of [
    [legacy?.n ?? 0, rotateLeadKeys],
    [legacyOutbox?.n ?? 0, rotateOutboxKeys],
    [legacyEvents?.n ?? 0, rotateRunEventKeys],
  ] as const) {
    if (Number(count) === 0) continue;
    const r = await rotate(db);
    report.scanned += r.scanned;
    report.rewritten += r.rewritten;
  }
  // A database whose constraint was dropped by hand keeps running as it did: nothing to validate there.
  for (const check of present) {
    await db.execute(
      sql`alter table ${sql.identifier(check.table)} validate constraint ${sql.identifier(check.constraint)}`,
    );
  }
  return report;
}
