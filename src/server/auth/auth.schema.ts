import { bigserial, index, pgTable, text, timestamp, uniqueIndex } from "drizzle-orm/pg-core";

/**
 * Revoked access tokens, keyed by `(issuer, jti)`. Never by a hash of the raw token: a JWT can be
 * re-encoded (JSON whitespace, base64 padding, header order) without changing its meaning, so a hash of
 * the bytes is trivially bypassed (OWASP JWT Cheat Sheet, "Token explicit revocation").
 * `seq` lets every replica poll for rows newer than the last one it saw, without trusting clocks.
 */
export const revokedTokens = pgTable(
  "revoked_tokens",
  {
    seq: bigserial("seq", { mode: "number" }).primaryKey(),
    issuer: text("issuer").notNull(),
    jti: text("jti").notNull(),
    /** Once the token would have expired anyway the row is useless and may be purged. */
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }).notNull().defaultNow(),
    /** Subject of the admin who revoked it (for the audit trail; the audit log also records the call). */
    revokedBy: text("revoked_by").notNull(),
  },
  (t) => [
    uniqueIndex("revoked_tokens_issuer_jti_key").on(t.issuer, t.jti),
    index("revoked_tokens_expires_at_idx").on(t.expiresAt),
  ],
);

export type RevokedToken = typeof revokedTokens.$inferSelect;
