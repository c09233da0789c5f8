CREATE TABLE "triage_recalibrations" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"scoring_model" text NOT NULL,
	"fit" jsonb NOT NULL,
	"labelled" integer NOT NULL,
	"converted" integer NOT NULL,
	"through_outcome_id" bigint NOT NULL,
	"fitted_at" timestamp with time zone NOT NULL,
	CONSTRAINT "triage_recalibrations_tenant_id_scoring_model_pk" PRIMARY KEY("tenant_id","scoring_model")
);
--> statement-breakpoint
CREATE TABLE "maintenance_runs" (
	"schedule" text PRIMARY KEY NOT NULL,
	"last_run_at" timestamp with time zone NOT NULL,
	"ran_by" text NOT NULL
);
