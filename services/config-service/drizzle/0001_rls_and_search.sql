-- Hand-written: row-level security (second tenancy wall), trigram search index, append-only audit log.
-- Tenant requests run as role hip_config_app with app.tenant_id set per transaction; system paths (outbox relay,
-- status consumer, internal endpoints, key rotation) set app.bypass_rls = 'on' explicitly.
DO $$ BEGIN CREATE ROLE hip_config_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
--> statement-breakpoint
DO $$ BEGIN EXECUTE format('GRANT hip_config_app TO %I', current_user); EXCEPTION WHEN others THEN NULL; END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA config TO hip_config_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA config TO hip_config_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA config TO hip_config_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA config GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hip_config_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA config GRANT USAGE, SELECT ON SEQUENCES TO hip_config_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON config.audit_log FROM hip_config_app;
--> statement-breakpoint
ALTER TABLE config.integrations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE config.integrations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON config.integrations
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE config.connection_tests ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE config.connection_tests FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON config.connection_tests
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE config.audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE config.audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON config.audit_log
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE config.outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE config.outbox FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON config.outbox
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
CREATE OR REPLACE FUNCTION config.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'config.audit_log is append-only';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON config.audit_log
  FOR EACH ROW EXECUTE FUNCTION config.audit_log_append_only();
--> statement-breakpoint
CREATE EXTENSION IF NOT EXISTS pg_trgm;
--> statement-breakpoint
CREATE INDEX integrations_search_trgm_idx ON config.integrations
  USING gin ((name || ' ' || coalesce(provider, '') || ' ' || coalesce(description, '')) gin_trgm_ops);
