import { and, desc, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { type Db, SqlState, sqlStateOf } from "./client.js";
import type { LeadInput } from "./lead-input.js";
import type { PiiCipher } from "./pii/cipher.js";
import { emailIndex, openLeadFields, sealLeadFields } from "./pii/lead-fields.js";
import { piiOf } from "./pii/registry.js";
import { type Lead, leads } from "./schema.js";

/**
 * Lead storage. Every query is scoped by tenant: a lead of another tenant is indistinguishable from none.
 * Name, email and notes are encrypted on the way in and decrypted on the way out (src/db/pii/): callers see
 * plaintext, the table holds ciphertext, and an email is found through its blind index.
 */

export const LeadErrorCode = {
  /** The email already belongs to another lead of this tenant. */
  EmailTaken: "email_taken",
  /** The id belongs to a lead of another tenant. */
  IdTaken: "id_taken",
} as const;
export type LeadErrorCode = (typeof LeadErrorCode)[keyof typeof LeadErrorCode];

export class LeadConflictError extends Error {
  constructor(
    readonly code: LeadErrorCode,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
    this.name = "LeadConflictError";
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Create or update a lead, in one transaction:
 * - with `id`: that lead is updated, or created with that id;
 * - else with `email`: the tenant's lead with that email (case-insensitive) is updated, or one is created;
 * - else: a new lead is created.
 * On update only the fields present in `input` change.
 */
export async function upsertLead(db: Db, tenantId: string, input: LeadInput): Promise<Lead> {
  const pii = piiOf(db);
  const { id, ...plain } = input;
  const fields = { ...plain, ...sealLeadFields(pii, tenantId, plain) };
  if (id !== undefined) return openLead(pii, await upsertById(db, tenantId, id, fields, plain.email));
  const email = plain.email;
  if (email !== undefined) {
    return openLead(pii, await upsertByEmail(db, tenantId, emailIndex(pii, tenantId, email), fields));
  }
  const [created] = await db
    .insert(leads)
    .values({ ...fields, tenantId })
    .returning();
  return openLead(pii, mustExist(created));
}

type SealedFields = Omit<typeof leads.$inferInsert, "id" | "tenantId">;

async function upsertById(
  db: Db,
  tenantId: string,
  id: string,
  fields: SealedFields,
  email: string | null | undefined,
): Promise<Lead> {
  let row: Lead | undefined;
  try {
    [row] = await db
      .insert(leads)
      .values({ ...fields, id, tenantId })
      .onConflictDoUpdate({
        target: leads.id,
        set: { ...fields, updatedAt: sql`now()` },
        // Leaves another tenant's row untouched and returns nothing.
        setWhere: eq(leads.tenantId, tenantId),
      })
      .returning();
  } catch (error) {
    throw emailConflictOr(error, email);
  }
  if (row === undefined) throw new LeadConflictError(LeadErrorCode.IdTaken, `lead id ${id} is not available`);
  return row;
}

async function upsertByEmail(
  db: Db,
  tenantId: string,
  emailBidx: string,
  fields: SealedFields,
): Promise<Lead> {
  // A target-less DO NOTHING covers the partial unique index on the email's blind index; a concurrent
  // insert of the same email makes it wait for the other transaction and then do nothing, so the update
  // below finds the row.
  return db.transaction(async (tx) => {
    const [created] = await tx
      .insert(leads)
      .values({ ...fields, tenantId })
      .onConflictDoNothing()
      .returning();
    if (created !== undefined) return created;
    const [updated] = await tx
      .update(leads)
      .set({ ...fields, updatedAt: sql`now()` })
      .where(and(eq(leads.tenantId, tenantId), eq(leads.emailBidx, emailBidx)))
      .returning();
    return mustExist(updated);
  });
}

/** The tenant's lead with this email (case-insensitive), found through the blind index. */
export async function findLeadByEmail(db: Db, tenantId: string, email: string): Promise<Lead | null> {
  const pii = piiOf(db);
  const [row] = await db
    .select()
    .from(leads)
    .where(and(eq(leads.tenantId, tenantId), eq(leads.emailBidx, emailIndex(pii, tenantId, email))));
  return row ? openLead(pii, row) : null;
}

export async function getLead(db: Db, tenantId: string, id: string): Promise<Lead | null> {
  if (!UUID.test(id)) return null;
  const [row] = await db
    .select()
    .from(leads)
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)));
  return row ? openLead(piiOf(db), row) : null;
}

/**
 * The tenant's leads with these ids, decrypted, in no particular order; ids that are not UUIDs or not the
 * tenant's are skipped. Read in chunks, so a long list does not become one huge statement.
 */
export async function getLeads(db: Db, tenantId: string, ids: Iterable<string>): Promise<Lead[]> {
  const wanted = [...new Set(ids)].filter((id) => UUID.test(id));
  const pii = piiOf(db);
  const found: Lead[] = [];
  for (let start = 0; start < wanted.length; start += LEADS_PER_READ) {
    const rows = await db
      .select()
      .from(leads)
      .where(
        and(eq(leads.tenantId, tenantId), inArray(leads.id, wanted.slice(start, start + LEADS_PER_READ))),
      );
    for (const row of rows) found.push(openLead(pii, row));
  }
  return found;
}
const LEADS_PER_READ = 500;

/** A row as read from the table, with its PII decrypted. */
export function openLead(pii: PiiCipher, row: Lead): Lead {
  return openLeadFields(pii, row);
}

export const ListLeadsOptions = z.object({
  limit: z.number().int().min(1).max(500).default(50),
  offset: z.number().int().min(0).default(0),
});
export type ListLeadsOptions = z.input<typeof ListLeadsOptions>;

/** Newest first. */
export async function listLeads(db: Db, tenantId: string, options: ListLeadsOptions = {}): Promise<Lead[]> {
  const { limit, offset } = ListLeadsOptions.parse(options);
  const pii = piiOf(db);
  const rows = await db
    .select()
    .from(leads)
    .where(eq(leads.tenantId, tenantId))
    .orderBy(desc(leads.createdAt), desc(leads.id))
    .limit(limit)
    .offset(offset);
  return rows.map((row) => openLead(pii, row));
}

export interface LeadTriage {
  score: number;
  class: string;
  stage?: string;
}

/** Record a triage result; null when the tenant has no such lead. */
export async function updateLeadTriage(
  db: Db,
  tenantId: string,
  id: string,
  triage: LeadTriage,
): Promise<Lead | null> {
  if (!UUID.test(id)) return null;
  const [row] = await db
    .update(leads)
    .set({ score: triage.score, class: triage.class, stage: triage.stage, updatedAt: sql`now()` })
    .where(and(eq(leads.tenantId, tenantId), eq(leads.id, id)))
    .returning();
  return row ? openLead(piiOf(db), row) : null;
}

function emailConflictOr(error: unknown, email: string | null | undefined): unknown {
  if (sqlStateOf(error) !== SqlState.UniqueViolation) return error;
  return new LeadConflictError(
    LeadErrorCode.EmailTaken,
    `another lead already has the email ${email ?? "(none)"}`,
    { cause: error },
  );
}

function mustExist(row: Lead | undefined): Lead {
  // INSERT/UPDATE … RETURNING of a row we just wrote or matched; absent only if it was deleted meanwhile.
  if (row === undefined) throw new Error("lead vanished during upsert (deleted concurrently)");
  return row;
}
