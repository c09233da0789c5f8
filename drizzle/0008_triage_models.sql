CREATE TABLE "triage_models" (
	"id" bigint PRIMARY KEY GENERATED ALWAYS AS IDENTITY (sequence name "triage_models_id_seq" INCREMENT BY 1 MINVALUE 1 MAXVALUE 9223372036854775807 START WITH 1 CACHE 1),
	"version" integer NOT NULL,
	"kind" text NOT NULL,
	"setting" text NOT NULL,
	"metrics" jsonb NOT NULL,
	"model" jsonb NOT NULL,
	"source" text,
	"active" boolean DEFAULT false NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "triage_models_version_key" ON "triage_models" USING btree ("version");--> statement-breakpoint
CREATE UNIQUE INDEX "triage_models_one_active" ON "triage_models" USING btree ("active") WHERE active;