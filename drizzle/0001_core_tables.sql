CREATE TABLE "audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"actor" text NOT NULL,
	"role" text,
	"method" text NOT NULL,
	"target" text,
	"result" text NOT NULL,
	"request_id" text,
	"prev_hash" text,
	"hash" text,
	CONSTRAINT "audit_log_result_check" CHECK ("audit_log"."result" in ('ok', 'error', 'denied'))
);
--> statement-breakpoint
CREATE TABLE "campaign_variants" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"campaign_id" uuid NOT NULL,
	"name" text NOT NULL,
	"content" text,
	"channel" text,
	"alpha" real DEFAULT 1 NOT NULL,
	"beta" real DEFAULT 1 NOT NULL,
	"impressions" integer DEFAULT 0 NOT NULL,
	"conversions" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "campaigns" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"name" text NOT NULL,
	"channel" text,
	"status" text DEFAULT 'draft' NOT NULL,
	"budget" numeric(14, 2),
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "leads" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"name" text,
	"email" text,
	"company" text,
	"title" text,
	"source" text,
	"total_visits" integer,
	"time_on_site" real,
	"page_views_per_visit" real,
	"last_activity" text,
	"do_not_email" boolean DEFAULT false NOT NULL,
	"notes" text,
	"stage" text DEFAULT 'new' NOT NULL,
	"score" real,
	"class" text,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "outcome_events" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"idempotency_key" text NOT NULL,
	"lead_id" uuid NOT NULL,
	"campaign_id" uuid,
	"variant_id" uuid,
	"event" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "outcome_events_event_check" CHECK ("outcome_events"."event" in ('sent', 'opened', 'clicked', 'replied', 'converted', 'unsubscribed', 'bounced'))
);
--> statement-breakpoint
ALTER TABLE "campaign_variants" ADD CONSTRAINT "campaign_variants_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "outcome_events" ADD CONSTRAINT "outcome_events_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_tenant_at_idx" ON "audit_log" USING btree ("tenant_id","at");--> statement-breakpoint
CREATE INDEX "campaign_variants_campaign_idx" ON "campaign_variants" USING btree ("campaign_id");--> statement-breakpoint
CREATE UNIQUE INDEX "leads_tenant_email_key" ON "leads" USING btree ("tenant_id",lower("email")) WHERE "leads"."email" is not null;--> statement-breakpoint
CREATE INDEX "leads_tenant_created_idx" ON "leads" USING btree ("tenant_id","created_at");--> statement-breakpoint
CREATE UNIQUE INDEX "outcome_events_tenant_idempotency_key" ON "outcome_events" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "outcome_events_lead_idx" ON "outcome_events" USING btree ("lead_id");