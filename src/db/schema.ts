import { sql } from "drizzle-orm";
import {
  bigserial,
  boolean,
  check,
  index,
  integer,
  numeric,
  pgTable,
  real,
  text,
  timestamp,
  uniqueIndex,
  uuid,
} from "drizzle-orm/pg-core";

/**
 * The one database schema, shared by PGlite and the PostgreSQL server. Migrations in `drizzle/` are
 * generated from this file by `npm run db:generate`; never edit them by hand.
 */

/** Rows belong to a tenant; single-tenant deployments use this one. */
export const DEFAULT_TENANT = "default";

/** Outcomes the adaptive loop learns from; each is recorded once per idempotency key. */
export const OUTCOME_EVENTS = [
  "sent",
  "opened",
  "clicked",
  "replied",
  "converted",
  "unsubscribed",
  "bounced",
] as const;
export type OutcomeEventName = (typeof OUTCOME_EVENTS)[number];

export const AUDIT_RESULTS = ["ok", "error", "denied"] as const;
export type AuditResult = (typeof AUDIT_RESULTS)[number];

/** `'a', 'b'` for a CHECK constraint; the values are our own constants, never user input. */
const sqlList = (values: readonly string[]) => sql.raw(values.map((v) => `'${v}'`).join(", "));

const tenantId = () => text("tenant_id").notNull().default(DEFAULT_TENANT);
const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const leads = pgTable(
  "leads",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    tenantId: tenantId(),
    // name, email and notes hold AES-256-GCM ciphertext (`pii1.<key id>.…`, see src/db/pii/); the blind
    // indexes beside them are keyed hashes that let a lead be found by exact email or by a word of its name.
    name: text("name"),
    email: text("email"),
    emailBidx: text("email_bidx"),
    nameBidx: text("name_bidx").array(),
    company: text("company"),
    title: text("title"),
    source: text("source"),
    totalVisits: integer("total_visits"),
    /** Seconds. */
    timeOnSite: real("time_on_site"),
    pageViewsPerVisit: real("page_views_per_visit"),
    lastActivity: text("last_activity"),
    doNotEmail: boolean("do_not_email").notNull().default(false),
    notes: text("notes"),
    stage: text("stage").notNull().default("new"),
    score: real("score"),
    class: text("class"),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // The email's blind index is of the lower-cased address: "Ann@X.com" and "ann@x.com" are one lead.
    uniqueIndex("leads_tenant_email_bidx_key")
      .on(t.tenantId, t.emailBidx)
      .where(sql`${t.emailBidx} is not null`),
    index("leads_name_bidx_idx").using("gin", t.nameBidx),
    index("leads_tenant_created_idx").on(t.tenantId, t.createdAt),
  ],
);

export const campaigns = pgTable("campaigns", {
  id: uuid("id").primaryKey().defaultRandom(),
  tenantId: tenantId(),
  name: text("name").notNull(),
  channel: text("channel"),
  status: text("status").notNull().default("draft"),
  budget: numeric("budget", { precision: 14, scale: 2, mode: "number" }),
  createdAt: createdAt(),
});

export const campaignVariants = pgTable(
  "campaign_variants",
  {
    id: uuid("id").primaryKey().defaultRandom(),
    campaignId: uuid("campaign_id")
      .notNull()
      .references(() => campaigns.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    content: text("content"),
    channel: text("channel"),
    // Beta(alpha, beta) posterior of the conversion rate; Beta(1, 1) is the uniform prior.
    alpha: real("alpha").notNull().default(1),
    beta: real("beta").notNull().default(1),
    impressions: integer("impressions").notNull().default(0),
    conversions: integer("conversions").notNull().default(0),
  },
  (t) => [index("campaign_variants_campaign_idx").on(t.campaignId)],
);

export const outcomeEvents = pgTable(
  "outcome_events",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    tenantId: tenantId(),
    idempotencyKey: text("idempotency_key").notNull(),
    leadId: uuid("lead_id")
      .notNull()
      .references(() => leads.id, { onDelete: "cascade" }),
    campaignId: uuid("campaign_id"),
    variantId: uuid("variant_id"),
    event: text("event", { enum: OUTCOME_EVENTS }).notNull(),
    occurredAt: timestamp("occurred_at", { withTimezone: true }).notNull().defaultNow(),
    recordedAt: timestamp("recorded_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    // An outcome is recorded once, however often a webhook or client retries it.
    uniqueIndex("outcome_events_tenant_idempotency_key").on(t.tenantId, t.idempotencyKey),
    index("outcome_events_lead_idx").on(t.leadId),
    check("outcome_events_event_check", sql`${t.event} in (${sqlList(OUTCOME_EVENTS)})`),
  ],
);

export const auditLog = pgTable(
  "audit_log",
  {
    id: bigserial("id", { mode: "number" }).primaryKey(),
    at: timestamp("at", { withTimezone: true }).notNull().defaultNow(),
    tenantId: tenantId(),
    actor: text("actor").notNull(),
    role: text("role"),
    method: text("method").notNull(),
    target: text("target"),
    result: text("result", { enum: AUDIT_RESULTS }).notNull(),
    requestId: text("request_id"),
    // Hash chain over entries (filled in by the audit writer) so that tampering is detectable.
    prevHash: text("prev_hash"),
    hash: text("hash"),
  },
  (t) => [
    index("audit_log_tenant_at_idx").on(t.tenantId, t.at),
    check("audit_log_result_check", sql`${t.result} in (${sqlList(AUDIT_RESULTS)})`),
  ],
);

export type Lead = typeof leads.$inferSelect;
export type NewLead = typeof leads.$inferInsert;
export type Campaign = typeof campaigns.$inferSelect;
export type NewCampaign = typeof campaigns.$inferInsert;
export type CampaignVariant = typeof campaignVariants.$inferSelect;
export type NewCampaignVariant = typeof campaignVariants.$inferInsert;
export type OutcomeEvent = typeof outcomeEvents.$inferSelect;
export type NewOutcomeEvent = typeof outcomeEvents.$inferInsert;
export type AuditLogEntry = typeof auditLog.$inferSelect;
export type NewAuditLogEntry = typeof auditLog.$inferInsert;
