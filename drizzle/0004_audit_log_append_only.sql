-- Custom SQL migration file, put your code below! --
-- The audit log is append-only: UPDATE, DELETE and TRUNCATE fail. A role that owns the table can still
-- disable the trigger; the hash chain (audit.verify) is what detects that. Operators should also keep the
-- application role from owning audit_log (GRANT INSERT, SELECT only): see docs/security.md.
CREATE OR REPLACE FUNCTION audit_log_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'audit_log is append-only (% refused)', TG_OP USING ERRCODE = 'insufficient_privilege';
END;
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON "audit_log"
  FOR EACH ROW EXECUTE FUNCTION audit_log_refuse_change();
--> statement-breakpoint
CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON "audit_log"
  FOR EACH STATEMENT EXECUTE FUNCTION audit_log_refuse_change();
