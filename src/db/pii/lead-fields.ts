import type { PiiCipher } from "./cipher.js";

/** The encrypted columns of `leads`, and how their blind indexes are derived. */
export const LEAD_PII_FIELDS = ["name", "email", "notes"] as const;
export type LeadPiiField = (typeof LEAD_PII_FIELDS)[number];

const context = (field: string, tenantId: string) => `leads.${field}|${tenantId}`;

export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** Lower-cased words of a name, accents folded: "José  O'Neil" → ["jose", "o", "neil"]. */
export function nameTokens(text: string): string[] {
  const folded = text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase();
  return [...new Set(folded.split(/[^\p{L}\p{N}]+/u).filter((t) => t !== ""))];
}

export function emailIndex(pii: PiiCipher, tenantId: string, email: string): string {
  return pii.blindIndex(context("email", tenantId), normalizeEmail(email));
}

export function nameTokenIndexes(pii: PiiCipher, tenantId: string, text: string): string[] {
  return nameTokens(text).map((token) => pii.blindIndex(context("name", tenantId), token));
}

type PiiValues = Partial<Record<LeadPiiField, string | null>>;

export interface SealedLeadFields {
  name?: string | null;
  email?: string | null;
  notes?: string | null;
  emailBidx?: string | null;
  nameBidx?: string[] | null;
}

/** Ciphertexts and blind indexes for the PII fields present in `fields`; absent fields stay absent. */
export function sealLeadFields(pii: PiiCipher, tenantId: string, fields: PiiValues): SealedLeadFields {
  const sealed: SealedLeadFields = {};
  for (const field of LEAD_PII_FIELDS) {
    if (field in fields) sealed[field] = pii.encryptNullable(fields[field], context(field, tenantId));
  }
  if ("email" in fields) {
    sealed.emailBidx = fields.email == null ? null : emailIndex(pii, tenantId, fields.email);
  }
  if ("name" in fields) {
    sealed.nameBidx = fields.name == null ? null : nameTokenIndexes(pii, tenantId, fields.name);
  }
  return sealed;
}

/** The row with its PII fields decrypted; other columns untouched. */
export function openLeadFields<T extends { tenantId: string } & { [K in LeadPiiField]?: string | null }>(
  pii: PiiCipher,
  row: T,
): T {
  const opened = { ...row };
  for (const field of LEAD_PII_FIELDS) {
    const value = row[field];
    if (typeof value === "string")
      (opened as Record<string, unknown>)[field] = pii.decrypt(value, context(field, row.tenantId));
  }
  return opened;
}

/** Decrypt one column selected on its own (joins and projections that do not carry the whole row). */
export function openLeadField(
  pii: PiiCipher,
  field: LeadPiiField,
  tenantId: string,
  value: string | null,
): string | null {
  return pii.decryptNullable(value, context(field, tenantId));
}
