-- Hand-written (issue 14): incidents of traffic anomalies next to status incidents. Existing rows are STATUS;
-- at most one unresolved incident per integration AND kind (was: per integration).
ALTER TABLE "alerts"."incidents" ADD COLUMN IF NOT EXISTS "kind" text DEFAULT 'STATUS' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN IF NOT EXISTS "anomaly" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX IF NOT EXISTS "incidents_one_open_per_integration_kind" ON "alerts"."incidents" USING btree ("integration_id", "kind") WHERE "alerts"."incidents"."resolved_at" IS NULL;--> statement-breakpoint
DROP INDEX IF EXISTS "alerts"."incidents_one_open_per_integration";
