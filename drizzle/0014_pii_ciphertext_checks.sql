-- Personal data is stored only as ciphertext (`pii1.<key id>.…`, written by src/db/pii/): any code path that
-- tried to write plaintext fails here instead of leaking. NOT VALID: rows written before encryption existed
-- are left alone until the application encrypts them at startup (or `marketing-agents rotate-keys`).
ALTER TABLE "leads" ADD CONSTRAINT "leads_pii_ciphertext_check" CHECK (
  ("name" IS NULL OR "name" LIKE 'pii1.%')
  AND ("email" IS NULL OR "email" LIKE 'pii1.%')
  AND ("notes" IS NULL OR "notes" LIKE 'pii1.%')
) NOT VALID;--> statement-breakpoint
ALTER TABLE "outbox" ADD CONSTRAINT "outbox_pii_ciphertext_check" CHECK (
  ("subject" IS NULL OR "subject" LIKE 'pii1.%') AND "body" LIKE 'pii1.%'
) NOT VALID;
