CREATE TABLE "memory_embedders" (
	"embedder_id" text PRIMARY KEY NOT NULL,
	"dimensions" integer NOT NULL,
	"registered_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memory_episodes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"lead_id" uuid,
	"outcome_event_id" bigint,
	"segment" text NOT NULL,
	"agent" text NOT NULL,
	"action" text NOT NULL,
	"variant_id" text,
	"campaign_id" text,
	"outcome" text,
	"reward" real DEFAULT 0 NOT NULL,
	"context" jsonb NOT NULL,
	"summary" text NOT NULL,
	"embedding" vector(512) NOT NULL,
	"embedder" text NOT NULL,
	"occurred_at" timestamp with time zone DEFAULT now() NOT NULL,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memory_entities" (
	"id" uuid PRIMARY KEY DEFAULT gen_random_uuid() NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"type" text NOT NULL,
	"name" text NOT NULL,
	"attributes" jsonb DEFAULT '{}'::jsonb NOT NULL,
	"lead_id" uuid,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memory_entity_aliases" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"type" text NOT NULL,
	"alias_key" text NOT NULL,
	"alias" text NOT NULL,
	"entity_id" uuid NOT NULL,
	CONSTRAINT "memory_entity_aliases_tenant_id_type_alias_key_pk" PRIMARY KEY("tenant_id","type","alias_key")
);
--> statement-breakpoint
CREATE TABLE "memory_facts" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"subject_id" uuid NOT NULL,
	"predicate" text NOT NULL,
	"object_id" uuid,
	"value" jsonb,
	"statement" text NOT NULL,
	"statement_search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "memory_facts"."statement")) STORED,
	"source" text,
	"valid_from" timestamp with time zone NOT NULL,
	"valid_to" timestamp with time zone,
	"recorded_at" timestamp with time zone DEFAULT now() NOT NULL,
	"retired_at" timestamp with time zone,
	"embedding" vector(512) NOT NULL,
	"embedder" text NOT NULL,
	CONSTRAINT "memory_facts_object_or_value" CHECK (("memory_facts"."object_id" is null) <> ("memory_facts"."value" is null)),
	CONSTRAINT "memory_facts_valid_interval" CHECK ("memory_facts"."valid_to" is null or "memory_facts"."valid_to" > "memory_facts"."valid_from")
);
--> statement-breakpoint
CREATE TABLE "memory_exposures" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"lead_id" uuid NOT NULL,
	"variant_id" text NOT NULL,
	"segment" text NOT NULL,
	"first_at" timestamp with time zone NOT NULL,
	"succeeded_at" timestamp with time zone,
	CONSTRAINT "memory_exposures_tenant_id_lead_id_variant_id_pk" PRIMARY KEY("tenant_id","lead_id","variant_id")
);
--> statement-breakpoint
CREATE TABLE "memory_variant_stats" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"segment" text NOT NULL,
	"variant_id" text NOT NULL,
	"trials" integer DEFAULT 0 NOT NULL,
	"successes" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "memory_variant_stats_tenant_id_segment_variant_id_pk" PRIMARY KEY("tenant_id","segment","variant_id")
);
--> statement-breakpoint
CREATE TABLE "lead_profile_changes" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"lead_id" uuid NOT NULL,
	"actor" text NOT NULL,
	"path" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"version" integer NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "lead_profiles" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"lead_id" uuid NOT NULL,
	"block" jsonb NOT NULL,
	"version" integer DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "lead_profiles_tenant_id_lead_id_pk" PRIMARY KEY("tenant_id","lead_id")
);
--> statement-breakpoint
CREATE TABLE "memory_item_vectors" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"item_id" bigint NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"namespace" text[] NOT NULL,
	"field_path" text NOT NULL,
	"text" text NOT NULL,
	"text_search" "tsvector" GENERATED ALWAYS AS (to_tsvector('english'::regconfig, "memory_item_vectors"."text")) STORED,
	"embedding" vector(512) NOT NULL,
	"embedder" text NOT NULL
);
--> statement-breakpoint
CREATE TABLE "memory_items" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"namespace" text[] NOT NULL,
	"key" text NOT NULL,
	"value" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL,
	"ttl_minutes" integer,
	"expires_at" timestamp with time zone
);
--> statement-breakpoint
ALTER TABLE "memory_episodes" ADD CONSTRAINT "memory_episodes_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_episodes" ADD CONSTRAINT "memory_episodes_outcome_event_id_outcome_events_id_fk" FOREIGN KEY ("outcome_event_id") REFERENCES "public"."outcome_events"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_entities" ADD CONSTRAINT "memory_entities_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_entity_aliases" ADD CONSTRAINT "memory_entity_aliases_entity_id_memory_entities_id_fk" FOREIGN KEY ("entity_id") REFERENCES "public"."memory_entities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_facts" ADD CONSTRAINT "memory_facts_subject_id_memory_entities_id_fk" FOREIGN KEY ("subject_id") REFERENCES "public"."memory_entities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_facts" ADD CONSTRAINT "memory_facts_object_id_memory_entities_id_fk" FOREIGN KEY ("object_id") REFERENCES "public"."memory_entities"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_exposures" ADD CONSTRAINT "memory_exposures_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_profile_changes" ADD CONSTRAINT "lead_profile_changes_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "lead_profiles" ADD CONSTRAINT "lead_profiles_lead_id_leads_id_fk" FOREIGN KEY ("lead_id") REFERENCES "public"."leads"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
ALTER TABLE "memory_item_vectors" ADD CONSTRAINT "memory_item_vectors_item_id_memory_items_id_fk" FOREIGN KEY ("item_id") REFERENCES "public"."memory_items"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "memory_episodes_lead_idx" ON "memory_episodes" USING btree ("tenant_id","lead_id");--> statement-breakpoint
CREATE INDEX "memory_episodes_outcome_idx" ON "memory_episodes" USING btree ("outcome_event_id") WHERE "memory_episodes"."outcome_event_id" is not null;--> statement-breakpoint
CREATE INDEX "memory_episodes_embedding_hnsw" ON "memory_episodes" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "memory_entities_tenant_type_idx" ON "memory_entities" USING btree ("tenant_id","type");--> statement-breakpoint
CREATE INDEX "memory_entities_lead_idx" ON "memory_entities" USING btree ("lead_id");--> statement-breakpoint
CREATE INDEX "memory_entity_aliases_entity_idx" ON "memory_entity_aliases" USING btree ("entity_id");--> statement-breakpoint
CREATE INDEX "memory_entity_aliases_key_idx" ON "memory_entity_aliases" USING btree ("tenant_id","alias_key");--> statement-breakpoint
CREATE INDEX "memory_facts_subject_idx" ON "memory_facts" USING btree ("tenant_id","subject_id","predicate") WHERE "memory_facts"."retired_at" is null;--> statement-breakpoint
CREATE INDEX "memory_facts_object_idx" ON "memory_facts" USING btree ("tenant_id","object_id") WHERE "memory_facts"."object_id" is not null;--> statement-breakpoint
CREATE INDEX "memory_facts_embedding_hnsw" ON "memory_facts" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "memory_facts_statement_search_gin" ON "memory_facts" USING gin ("statement_search");--> statement-breakpoint
CREATE INDEX "memory_variant_stats_variant_idx" ON "memory_variant_stats" USING btree ("tenant_id","variant_id");--> statement-breakpoint
CREATE INDEX "lead_profile_changes_lead_idx" ON "lead_profile_changes" USING btree ("tenant_id","lead_id","id");--> statement-breakpoint
CREATE INDEX "memory_item_vectors_item_idx" ON "memory_item_vectors" USING btree ("item_id");--> statement-breakpoint
CREATE INDEX "memory_item_vectors_tenant_idx" ON "memory_item_vectors" USING btree ("tenant_id","embedder");--> statement-breakpoint
CREATE INDEX "memory_item_vectors_embedding_hnsw" ON "memory_item_vectors" USING hnsw ("embedding" vector_cosine_ops);--> statement-breakpoint
CREATE INDEX "memory_item_vectors_text_search_gin" ON "memory_item_vectors" USING gin ("text_search");--> statement-breakpoint
CREATE UNIQUE INDEX "memory_items_tenant_namespace_key" ON "memory_items" USING btree ("tenant_id","namespace","key");--> statement-breakpoint
CREATE INDEX "memory_items_expires_idx" ON "memory_items" USING btree ("expires_at") WHERE "memory_items"."expires_at" is not null;