CREATE TABLE "alerts"."notices" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"integration_name" text,
	"integration_type" text,
	"kind" text NOT NULL,
	"subject_key" text NOT NULL,
	"subject" text NOT NULL,
	"threshold" text NOT NULL,
	"expires_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"notified" boolean NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts"."policies" ADD COLUMN "expiry_days" jsonb DEFAULT '[30,14,7,1]'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "notices_once_uq" ON "alerts"."notices" USING btree ("integration_id","kind","subject_key","threshold");--> statement-breakpoint
CREATE INDEX "notices_tenant_idx" ON "alerts"."notices" USING btree ("tenant_id","created_at");--> statement-breakpoint
GRANT SELECT, INSERT, UPDATE, DELETE ON alerts.notices TO hip_alerts_app;
--> statement-breakpoint
ALTER TABLE alerts.notices ENABLE ROW LEVEL SECURITY;
--> statement-breakpoint
ALTER TABLE alerts.notices FORCE ROW LEVEL SECURITY;
--> statement-breakpoint
CREATE POLICY tenant_isolation ON alerts.notices
  USING (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true))
  WITH CHECK (current_setting('app.bypass_rls', true) = 'on' OR tenant_id = current_setting('app.tenant_id', true));
