DROP INDEX "alerts"."incidents_one_open_per_integration";--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "kind" text DEFAULT 'STATUS' NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "anomaly" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open_per_integration_kind" ON "alerts"."incidents" USING btree ("integration_id","kind") WHERE "alerts"."incidents"."resolved_at" IS NULL;