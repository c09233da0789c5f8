-- What a run streamed (node updates naming the lead, drafts, model output) is stored only as ciphertext: one
-- JSON string `pii1.<key id>.…`, written by src/db/pii/run-event-fields.ts. NOT VALID: events stored in
-- plaintext by an older version stay readable until the application encrypts them at startup (or
-- `marketing-agents rotate-keys`), as for migration 0014.
ALTER TABLE "run_events" ADD CONSTRAINT "run_events_pii_ciphertext_check" CHECK (
  jsonb_typeof("data") = 'string' AND ("data" #>> '{}') LIKE 'pii1.%'
) NOT VALID;
