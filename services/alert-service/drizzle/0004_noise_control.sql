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
	"next_start_at" timestamp with time zone,
	"event_seq" bigint DEFAULT 0 NOT NULL,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
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
ALTER TABLE "alerts"."incidents" ADD COLUMN "flapping" jsonb;--> statement-breakpoint
ALTER TABLE "alerts"."incidents" ADD COLUMN "maintenance" jsonb;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "status_changes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "last_change_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "last_change_event_id" uuid;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "credentials_expire_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "credentials_due_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."policies" ADD COLUMN "flapping" jsonb DEFAULT '{"changes":4,"windowMinutes":30,"stableMinutes":15}'::jsonb;--> statement-breakpoint
ALTER TABLE "alerts"."policies" ADD COLUMN "expiry_days" jsonb DEFAULT '[30,14,7,1]'::jsonb NOT NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "maintenance_tenant_name_uq" ON "alerts"."maintenance_windows" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "maintenance_next_start_idx" ON "alerts"."maintenance_windows" USING btree ("next_start_at");--> statement-breakpoint
CREATE UNIQUE INDEX "notices_once_uq" ON "alerts"."notices" USING btree ("integration_id","kind","subject_key","threshold");--> statement-breakpoint
CREATE INDEX "notices_tenant_idx" ON "alerts"."notices" USING btree ("tenant_id","created_at");