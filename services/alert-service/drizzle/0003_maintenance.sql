CREATE TABLE "alerts"."maintenance_windows" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"description" text,
	"start_local" text NOT NULL,
	"time_zone" text NOT NULL,
	"duration_minutes" integer NOT NULL,
	"rrule" text,
	"scope" jsonb NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "maintenance" jsonb;--> statement-breakpoint
CREATE UNIQUE INDEX "maintenance_tenant_name_uq" ON "alerts"."maintenance_windows" USING btree ("tenant_id",lower("name"));