CREATE TABLE "stats"."maintenance_intervals" (
	"window_id" uuid NOT NULL,
	"starts_at" timestamp with time zone NOT NULL,
	"ends_at" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"scope" jsonb NOT NULL,
	"sequence" bigint NOT NULL,
	CONSTRAINT "maintenance_intervals_window_id_starts_at_pk" PRIMARY KEY("window_id","starts_at")
);
--> statement-breakpoint
CREATE INDEX "maintenance_intervals_tenant_idx" ON "stats"."maintenance_intervals" USING btree ("tenant_id","starts_at");