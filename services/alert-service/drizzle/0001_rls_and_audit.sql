-- Hand-written: row-level security (second tenancy wall) and the append-only audit log.
-- Tenant requests run as role hip_alerts_app with app.tenant_id set per transaction; system paths (consumers,
-- dispatcher, delivery worker, timers, outbox relay) set app.bypass_rls = 'on' explicitly.
DO $$ BEGIN CREATE ROLE hip_alerts_app NOLOGIN; EXCEPTION WHEN duplicate_object OR unique_violation THEN NULL; END $$;
--> statement-breakpoint
DO $$ BEGIN EXECUTE format('GRANT hip_alerts_app TO %I', current_user); EXCEPTION WHEN others THEN NULL; END $$;
--> statement-breakpoint
GRANT USAGE ON SCHEMA alerts TO hip_alerts_app;
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA alerts TO hip_alerts_app;
--> statement-breakpoint
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA alerts TO hip_alerts_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA alerts GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO hip_alerts_app;
--> statement-breakpoint
ALTER DEFAULT PRIVILEGES IN SCHEMA alerts GRANT USAGE, SELECT ON SEQUENCES TO hip_alerts_app;
--> statement-breakpoint
REVOKE UPDATE, DELETE ON alerts.audit_log FROM hip_alerts_app;
--> statement-breakpoint
ALTER TABLE alerts.integrations ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.integrations FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.integrations
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.incidents ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.incidents FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.incidents
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.timeline ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.timeline FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.timeline
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.channels ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.channels FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.channels
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.policies ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.policies FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.policies
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.deliveries ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.deliveries FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.deliveries
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.incident_timers ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.incident_timers FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.incident_timers
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.outbox ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.outbox FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.outbox
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
ALTER TABLE alerts.audit_log ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.audit_log FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.audit_log
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
CREATE OR REPLACE FUNCTION alerts.audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'alerts.audit_log is append-only';
END
$$;
--> statement-breakpoint
CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON alerts.audit_log
  FOR EACH ROW EXECUTE FUNCTION alerts.audit_log_append_only();
