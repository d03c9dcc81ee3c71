CREATE SCHEMA IF NOT EXISTS "stats";
--> statement-breakpoint
CREATE TABLE "stats"."applied_sequences" (
	"integration_id" uuid NOT NULL,
	"source" text NOT NULL,
	"sequence" bigint NOT NULL,
	"snapshot_sequence" bigint,
	"status_sequence" bigint,
	CONSTRAINT "applied_sequences_integration_id_source_pk" PRIMARY KEY("integration_id","source")
);
--> statement-breakpoint
CREATE TABLE "stats"."checks" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"integration_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"type" text NOT NULL,
	"checked_at" timestamp with time zone NOT NULL,
	"success" boolean NOT NULL,
	"latency_ms" double precision NOT NULL,
	"trigger" text NOT NULL,
	"error_code" text,
	"error_message" text
);
--> statement-breakpoint
CREATE TABLE "stats"."integrations" (
	"integration_id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"known" boolean DEFAULT false NOT NULL,
	"name" text DEFAULT '' NOT NULL,
	"type" text NOT NULL,
	"provider" text,
	"status" text DEFAULT 'INACTIVE' NOT NULL,
	"status_since" timestamp with time zone,
	"deleted_at" timestamp with time zone,
	"last_check_at" timestamp with time zone,
	"last_check_success" boolean,
	"last_latency_ms" double precision,
	"last_success_at" timestamp with time zone,
	"last_error_at" timestamp with time zone,
	"last_error" text,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats"."processed_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats"."projection_state" (
	"id" smallint PRIMARY KEY NOT NULL,
	"newest_event_at" timestamp with time zone,
	"events_applied" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "stats"."rollup_hour" (
	"integration_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_max" double precision NOT NULL,
	"hist" integer[] NOT NULL,
	CONSTRAINT "rollup_hour_integration_id_bucket_pk" PRIMARY KEY("integration_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "stats"."rollup_minute" (
	"integration_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_max" double precision NOT NULL,
	"hist" integer[] NOT NULL,
	CONSTRAINT "rollup_minute_integration_id_bucket_pk" PRIMARY KEY("integration_id","bucket")
);
--> statement-breakpoint
CREATE TABLE "stats"."tenant_counts" (
	"tenant_id" text NOT NULL,
	"status" text NOT NULL,
	"type" text NOT NULL,
	"n" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "tenant_counts_tenant_id_status_type_pk" PRIMARY KEY("tenant_id","status","type")
);
--> statement-breakpoint
CREATE TABLE "stats"."tenant_rollup_hour" (
	"tenant_id" text NOT NULL,
	"type" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_max" double precision NOT NULL,
	"hist" integer[] NOT NULL,
	CONSTRAINT "tenant_rollup_hour_tenant_id_bucket_type_pk" PRIMARY KEY("tenant_id","bucket","type")
);
--> statement-breakpoint
CREATE TABLE "stats"."tenant_rollup_minute" (
	"tenant_id" text NOT NULL,
	"type" text NOT NULL,
	"bucket" timestamp with time zone NOT NULL,
	"count" integer NOT NULL,
	"successes" integer NOT NULL,
	"failures" integer NOT NULL,
	"latency_sum" double precision NOT NULL,
	"latency_max" double precision NOT NULL,
	"hist" integer[] NOT NULL,
	CONSTRAINT "tenant_rollup_minute_tenant_id_bucket_type_pk" PRIMARY KEY("tenant_id","bucket","type")
);
--> statement-breakpoint
CREATE TABLE "stats"."tenant_state" (
	"tenant_id" text PRIMARY KEY NOT NULL,
	"last_synced_at" timestamp with time zone
);
--> statement-breakpoint
CREATE INDEX "checks_integration_time_idx" ON "stats"."checks" USING btree ("integration_id","checked_at" DESC NULLS LAST);--> statement-breakpoint
CREATE INDEX "checks_checked_at_idx" ON "stats"."checks" USING btree ("checked_at");--> statement-breakpoint
CREATE INDEX "integrations_tenant_idx" ON "stats"."integrations" USING btree ("tenant_id","integration_id");--> statement-breakpoint
CREATE INDEX "processed_events_processed_at_idx" ON "stats"."processed_events" USING btree ("processed_at");--> statement-breakpoint
CREATE INDEX "rollup_hour_bucket_idx" ON "stats"."rollup_hour" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "rollup_minute_bucket_idx" ON "stats"."rollup_minute" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "tenant_rollup_hour_bucket_idx" ON "stats"."tenant_rollup_hour" USING btree ("bucket");--> statement-breakpoint
CREATE INDEX "tenant_rollup_minute_bucket_idx" ON "stats"."tenant_rollup_minute" USING btree ("bucket");