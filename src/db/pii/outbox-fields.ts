import type { PiiCipher } from "./cipher.js";

/** The encrypted columns of `outbox`: the message written to a person, about a person. */
const context = (field: "subject" | "body", tenantId: string) => `outbox.${field}|${tenantId}`;

interface MessageFields {
  tenantId: string;
  subject: string | null;
  body: string;
}

export function sealOutboxFields(
  pii: PiiCipher,
  message: MessageFields,
): { subject: string | null; body: string } {
  return {
    subject: pii.encryptNullable(message.subject, context("subject", message.tenantId)) ?? null,
    body: pii.encrypt(message.body, context("body", message.tenantId)),
  };
}

/** A message as stored, with its subject and body decrypted; other columns untouched. */
export function openOutboxFields<T extends MessageFields>(pii: PiiCipher, row: T): T {
  return {
    ...row,
    subject: pii.decryptNullable(row.subject, context("subject", row.tenantId)),
    body: pii.decrypt(row.body, context("body", row.tenantId)),
  };
}
