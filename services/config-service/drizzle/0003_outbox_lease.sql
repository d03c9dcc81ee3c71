ALTER TABLE "config"."outbox" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "config"."outbox" ADD COLUMN "claimed_by" text;