-- Hand-written: the second tenancy wall on maintenance windows and expiry notices, like every tenant table (0001).
GRANT SELECT, INSERT, UPDATE, DELETE ON alerts.maintenance_windows TO hip_alerts_app;
--> statement-breakpoint
ALTER TABLE alerts.maintenance_windows ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.maintenance_windows FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.maintenance_windows
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON alerts.notices TO hip_alerts_app;
--> statement-breakpoint
ALTER TABLE alerts.notices ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.notices FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.notices
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
