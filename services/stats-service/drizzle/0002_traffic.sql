-- Hand-written: passive health (issue 14). Traffic reports, their minute/hour roll-ups, per-integration detector
-- state (expectations from config snapshots, last activity, event sequence), anomalies and the outbox that
-- publishes integration.traffic_anomaly. See docs/stats-service.md "Traffic" and decisions 0310-0313.
CREATE TABLE "stats"."traffic_reports" (
	"integration_id" uuid NOT NULL,
	"window_start" timestamp with time zone NOT NULL,
	"source" text NOT NULL,
	"tenant_id" text NOT NULL,
	"window_seconds" integer NOT NULL,
	"received" bigint NOT NULL,
	"filtered" bigint NOT NULL,
	"sent" bigint NOT NULL,
	"errored" bigint NOT NULL,
	"queued" bigint NOT NULL,
	"oldest_queued_age_seconds" bigint,
	"negative_acks" bigint NOT NULL,
	"acks" jsonb,
	"stored_at" timestamp with time zone DEFAULT now() NOT NULL,
	PRIMARY KEY ("integration_id", "window_start", "source")
);--> statement-breakpoint
CREATE INDEX "traffic_reports_stored_at_brin" ON "stats"."traffic_reports" USING brin ("stored_at");--> statement-breakpoint
CREATE TABLE "stats"."traffic_minute" (
	"integration_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"filtered" bigint DEFAULT 0 NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"errored" bigint DEFAULT 0 NOT NULL,
	"negative_acks" bigint DEFAULT 0 NOT NULL,
	"queued_max" bigint,
	"oldest_age_max" bigint,
	"reports" integer DEFAULT 0 NOT NULL,
	PRIMARY KEY ("integration_id", "bucket")
);--> statement-breakpoint
CREATE INDEX "traffic_minute_bucket_idx" ON "stats"."traffic_minute" USING btree ("bucket");--> statement-breakpoint
CREATE TABLE "stats"."traffic_hour" (
	"integration_id" uuid NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"tenant_id" text NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"filtered" bigint DEFAULT 0 NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"errored" bigint DEFAULT 0 NOT NULL,
	"negative_acks" bigint DEFAULT 0 NOT NULL,
	"queued_max" bigint,
	"oldest_age_max" bigint,
	"reports" integer DEFAULT 0 NOT NULL,
	PRIMARY KEY ("integration_id", "bucket")
);--> statement-breakpoint
CREATE INDEX "traffic_hour_bucket_idx" ON "stats"."traffic_hour" USING btree ("bucket");--> statement-breakpoint
CREATE TABLE "stats"."tenant_traffic_hour" (
	"tenant_id" text NOT NULL,
	"type" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"received" bigint DEFAULT 0 NOT NULL,
	"filtered" bigint DEFAULT 0 NOT NULL,
	"sent" bigint DEFAULT 0 NOT NULL,
	"errored" bigint DEFAULT 0 NOT NULL,
	"negative_acks" bigint DEFAULT 0 NOT NULL,
	PRIMARY KEY ("tenant_id", "type", "bucket")
);--> statement-breakpoint
CREATE TABLE "stats"."traffic_state" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"expectations" jsonb,
	"expectations_seq" bigint DEFAULT 0 NOT NULL,
	"deleted" boolean DEFAULT false NOT NULL,
	"first_report_at" timestamp with time zone,
	"last_activity_at" timestamp with time zone,
	"event_seq" bigint DEFAULT 0 NOT NULL
);--> statement-breakpoint
CREATE INDEX "traffic_state_judged_idx" ON "stats"."traffic_state" USING btree ("integration_id") WHERE "expectations" IS NOT NULL AND NOT "deleted";--> statement-breakpoint
CREATE TABLE "stats"."traffic_anomalies" (
	"anomaly_id" uuid PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"kind" text NOT NULL,
	"since" timestamp with time zone NOT NULL,
	"detected_at" timestamp with time zone NOT NULL,
	"resolved_at" timestamp with time zone,
	"observed" jsonb NOT NULL,
	"expected" jsonb NOT NULL
);--> statement-breakpoint
CREATE UNIQUE INDEX "traffic_anomalies_open_uq" ON "stats"."traffic_anomalies" USING btree ("integration_id", "kind") WHERE "resolved_at" IS NULL;--> statement-breakpoint
CREATE INDEX "traffic_anomalies_integration_idx" ON "stats"."traffic_anomalies" USING btree ("integration_id", "detected_at");--> statement-breakpoint
CREATE TABLE "stats"."traffic_outbox" (
	"id" uuid PRIMARY KEY NOT NULL,
	"position" bigserial NOT NULL,
	"tenant_id" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"sequence" bigint NOT NULL,
	"topic" text NOT NULL,
	"event_type" text NOT NULL,
	"payload" jsonb NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"published_at" timestamp with time zone,
	"attempts" integer DEFAULT 0 NOT NULL,
	"claimed_until" timestamp with time zone,
	"claimed_by" text
);--> statement-breakpoint
CREATE INDEX "traffic_outbox_unpublished_idx" ON "stats"."traffic_outbox" USING btree ("integration_id", "sequence") WHERE "published_at" IS NULL;--> statement-breakpoint
CREATE INDEX "traffic_outbox_published_idx" ON "stats"."traffic_outbox" USING btree ("published_at");
