ALTER TABLE "config"."integrations" ADD COLUMN "recovery_threshold" integer DEFAULT 1 NOT NULL;--> statement-breakpoint
ALTER TABLE "config"."integrations" ADD COLUMN "failure_window" jsonb;--> statement-breakpoint
ALTER TABLE "config"."integrations" ADD COLUMN "consecutive_successes" integer DEFAULT 0 NOT NULL;--> statement-breakpoint
ALTER TABLE "config"."integrations" ADD COLUMN "recent_results" text DEFAULT '' NOT NULL;--> statement-breakpoint
ALTER TABLE "config"."integrations" ADD COLUMN "credentials_expire_at" timestamp with time zone;