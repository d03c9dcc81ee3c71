ALTER TABLE "alerts"."outbox" ADD COLUMN "claimed_until" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."outbox" ADD COLUMN "claimed_by" text;