ALTER TABLE "alerts"."incidents" ADD COLUMN "parent_incident_id" uuid;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "suppressed" boolean DEFAULT false NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "child_count" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "children" jsonb;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "depends_on" uuid[] DEFAULT '{}'::uuid[] NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."policies" ADD COLUMN "dependency_grace_minutes" integer DEFAULT 2 NOT NULL;--> statement-breakpoint
CREATE INDEX "incidents_parent_idx" ON "alerts"."incidents" USING btree ("parent_incident_id");--> statement-breakpoint
CREATE INDEX "integrations_depends_on_idx" ON "alerts"."integrations" USING gin ("depends_on");