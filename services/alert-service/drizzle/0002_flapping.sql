ALTER TABLE "alerts"."incidents" ADD COLUMN "flapping" jsonb;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "status_changes" jsonb DEFAULT '[]'::jsonb NOT NULL;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "last_change_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."integrations" ADD COLUMN "last_change_event_id" uuid;--> statement-breakpoint
ALTER TABLE "alerts"."policies" ADD COLUMN "flapping" jsonb DEFAULT '{"changes":4,"windowMinutes":30,"stableMinutes":15}'::jsonb;