ALTER TABLE "alerts"."maintenance_windows" ADD COLUMN "next_start_at" timestamp with time zone;--> statement-breakpoint
ALTER TABLE "alerts"."maintenance_windows" ADD COLUMN "event_seq" bigint DEFAULT 0 NOT NULL;--> statement-breakpoint
CREATE INDEX "maintenance_next_start_idx" ON "alerts"."maintenance_windows" USING btree ("next_start_at");