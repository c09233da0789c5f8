DROP INDEX "leads_tenant_email_key";--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "email_bidx" text;--> statement-breakpoint
ALTER TABLE "leads" ADD COLUMN "name_bidx" text[];--> statement-breakpoint
CREATE UNIQUE INDEX "leads_tenant_email_bidx_key" ON "leads" USING btree ("tenant_id","email_bidx") WHERE "leads"."email_bidx" is not null;--> statement-breakpoint
CREATE INDEX "leads_name_bidx_idx" ON "leads" USING gin ("name_bidx");