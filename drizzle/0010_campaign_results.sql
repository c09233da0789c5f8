CREATE TABLE "campaign_results" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"campaign_id" uuid NOT NULL,
	"variant_id" uuid NOT NULL,
	"segment" text DEFAULT 'all' NOT NULL,
	"impressions" integer NOT NULL,
	"conversions" integer NOT NULL,
	"cost" numeric(14, 2),
	"idempotency_key" text,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "campaign_results_counts" CHECK ("campaign_results"."impressions" >= 0 and "campaign_results"."conversions" between 0 and "campaign_results"."impressions")
);
--> statement-breakpoint
ALTER TABLE "campaign_results" ADD CONSTRAINT "campaign_results_campaign_id_campaigns_id_fk" FOREIGN KEY ("campaign_id") REFERENCES "public"."campaigns"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "campaign_results" ADD CONSTRAINT "campaign_results_variant_id_campaign_variants_id_fk" FOREIGN KEY ("variant_id") REFERENCES "public"."campaign_variants"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE UNIQUE INDEX "campaign_results_idempotency" ON "campaign_results" USING btree ("tenant_id","idempotency_key");--> statement-breakpoint
CREATE INDEX "campaign_results_campaign_idx" ON "campaign_results" USING btree ("campaign_id","segment");