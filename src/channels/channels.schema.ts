import { bigint, index, integer, pgTable, primaryKey, text, timestamp, uuid } from "drizzle-orm/pg-core";
import { outbox } from "../db/runs.schema.js";
import { DEFAULT_TENANT, leads } from "../db/schema.js";

/**
 * Delivery bookkeeping beside the outbox (which the graph writes) and the suppression list that stops
 * outreach to a lead. `outbox.status` moves pending → sending → sent | failed | suppressed; the attempts,
 * lease and provider id live here so the outbox row stays what was approved.
 */
export const outboxDeliveries = pgTable(
  "outbox_deliveries",
  {
    outboxId: bigint("outbox_id", { mode: "number" })
      .primaryKey()
      .references(() => outbox.id, { onDelete: "cascade" }),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** The provider's message id, once sent: the proof of delivery and the key for its webhooks. */
    providerId: text("provider_id"),
    nextAttemptAt: timestamp("next_attempt_at", { withTimezone: true }).notNull().defaultNow(),
    /** A dispatcher holds a claimed row until then; past it, a crashed dispatcher's row is claimed again. */
    leaseUntil: timestamp("lease_until", { withTimezone: true }),
    sentAt: timestamp("sent_at", { withTimezone: true }),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [index("outbox_deliveries_due_idx").on(t.nextAttemptAt)],
);

/** "all" after an unsubscribe; a channel name when only that channel is stopped. */
export const SUPPRESSION_SCOPES = ["all", "email", "sms", "linkedin"] as const;
export type SuppressionScope = (typeof SUPPRESSION_SCOPES)[number];

export const leadSuppressions = pgTable(
  "lead_suppressions",
  {
    tenantId: text("tenant_id").notNull().default(DEFAULT_TENANT),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    scope: text("scope").$type<SuppressionScope>().notNull(),
    /** Why, in words: "reply asked to stop (matched: unsubscribe)". */
    reason: text("reason").notNull(),
    /** What recorded it: "reply", "operator", "bounce". */
    source: text("source").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.leadId, t.scope] })],
);

/**
 * Suppressions that outlive an erasure. `memory.forget` deletes the lead and with it `lead_suppressions`;
 * without this table a person who unsubscribed and then asked to be forgotten would be contacted again
 * the day a CRM sync brings their address back. Only the tenant's keyed blind index of the email is kept
 * (HMAC, `src/db/pii/`), not the address: it can answer "is this address suppressed?" for a lead that
 * has the same address, and nothing else.
 */
export const erasedContactSuppressions = pgTable(
  "erased_contact_suppressions",
  {
    tenantId: text("tenant_id").notNull().default(DEFAULT_TENANT),
    emailBidx: text("email_bidx").notNull(),
    scope: text("scope").$type<SuppressionScope>().notNull(),
    /** What recorded the original suppression: "reply", "operator", "bounce". */
    source: text("source").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.tenantId, t.emailBidx, t.scope] })],
);

export type OutboxDelivery = typeof outboxDeliveries.$inferSelect;
export type LeadSuppression = typeof leadSuppressions.$inferSelect;
