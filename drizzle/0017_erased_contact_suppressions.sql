CREATE TABLE "erased_contact_suppressions" (
	"tenant_id" text DEFAULT 'default' NOT NULL,
	"email_bidx" text NOT NULL,
	"scope" text NOT NULL,
	"source" text NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	CONSTRAINT "erased_contact_suppressions_tenant_id_email_bidx_scope_pk" PRIMARY KEY("tenant_id","email_bidx","scope")
);
