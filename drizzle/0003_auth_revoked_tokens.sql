CREATE TABLE "revoked_tokens" (
	"seq" bigserial PRIMARY KEY NOT NULL,
	"issuer" text NOT NULL,
	"jti" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"revoked_at" timestamp with time zone DEFAULT now() NOT NULL,
	"revoked_by" text NOT NULL
);
--> statement-breakpoint
CREATE UNIQUE INDEX "revoked_tokens_issuer_jti_key" ON "revoked_tokens" USING btree ("issuer","jti");--> statement-breakpoint
CREATE INDEX "revoked_tokens_expires_at_idx" ON "revoked_tokens" USING btree ("expires_at");