CREATE SCHEMA IF NOT EXISTS "alerts";
--> statement-breakpoint
CREATE TABLE "alerts"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"entity_type" text NOT NULL,
	"entity_id" uuid NOT NULL,
	"action" text NOT NULL,
	"actor" text NOT NULL,
	"before" jsonb,
	"after" jsonb,
	"request_id" text,
	"client_ip" text,
	"at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."channels" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"config" jsonb NOT NULL,
	"secrets_enc" text,
	"masks" jsonb NOT NULL,
	"last_test" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."deliveries" (
	"key" text PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"incident_id" uuid NOT NULL,
	"channel_id" uuid NOT NULL,
	"channel_type" text NOT NULL,
	"channel_name" text NOT NULL,
	"transition" text NOT NULL,
	"notify_on_resolve" boolean DEFAULT true NOT NULL,
	"state" text DEFAULT 'pending' NOT NULL,
	"attempts" integer DEFAULT 0 NOT NULL,
	"origin_at" timestamp with time zone NOT NULL,
	"created_at" timestamp with time zone DEFAULT now() NOT NULL,
	"next_attempt_at" timestamp with time zone DEFAULT now() NOT NULL,
	"enqueued_at" timestamp with time zone,
	"lease_until" timestamp with time zone,
	"last_attempt_at" timestamp with time zone,
	"last_status_code" integer,
	"last_error" text,
	"succeeded_at" timestamp with time zone,
	"finished_at" timestamp with time zone,
	"latency_ms" integer
);
--> statement-breakpoint
CREATE TABLE "alerts"."incident_timers" (
	"incident_id" uuid NOT NULL,
	"kind" text NOT NULL,
	"policy_id" uuid NOT NULL,
	"tenant_id" text NOT NULL,
	"due_at" timestamp with time zone NOT NULL,
	"channel_ids" jsonb NOT NULL,
	"interval_minutes" integer,
	"notify_on_resolve" boolean NOT NULL,
	"fired" integer DEFAULT 0 NOT NULL,
	CONSTRAINT "incident_timers_incident_id_kind_policy_id_pk" PRIMARY KEY("incident_id","kind","policy_id")
);
--> statement-breakpoint
CREATE TABLE "alerts"."incidents" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"integration_name" text,
	"integration_type" text,
	"state" text NOT NULL,
	"opened_at" timestamp with time zone NOT NULL,
	"acknowledged_at" timestamp with time zone,
	"acknowledged_by" text,
	"resolved_at" timestamp with time zone,
	"resolve_reason" text,
	"error" jsonb,
	"opened_by_event_id" uuid NOT NULL,
	"resolved_by_event_id" uuid
);
--> statement-breakpoint
CREATE TABLE "alerts"."integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text,
	"type" text,
	"status" text,
	"config_seq" bigint DEFAULT -1 NOT NULL,
	"status_seq" bigint DEFAULT -1 NOT NULL,
	"probe_seq" bigint DEFAULT -1 NOT NULL,
	"deleted_seq" bigint,
	"last_error" jsonb,
	"incident_seq" bigint DEFAULT 0 NOT NULL,
	"updated_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."outbox" (
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
	"attempts" integer DEFAULT 0 NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."policies" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"enabled" boolean NOT NULL,
	"integrations" jsonb NOT NULL,
	"channel_ids" jsonb NOT NULL,
	"notify_on_resolve" boolean NOT NULL,
	"renotify_minutes" integer,
	"escalation" jsonb,
	"version" integer DEFAULT 1 NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."processed_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
CREATE TABLE "alerts"."timeline" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"incident_id" uuid NOT NULL,
	"at" timestamp with time zone DEFAULT now() NOT NULL,
	"kind" text NOT NULL,
	"actor" text NOT NULL,
	"data" jsonb NOT NULL
);
--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "alerts"."audit_log" USING btree ("tenant_id","entity_id","id");--> statement-breakpoint
CREATE UNIQUE INDEX "channels_tenant_name_uq" ON "alerts"."channels" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "deliveries_due_idx" ON "alerts"."deliveries" USING btree ("next_attempt_at") WHERE "alerts"."deliveries"."state" IN ('pending', 'sending');--> statement-breakpoint
CREATE INDEX "deliveries_incident_idx" ON "alerts"."deliveries" USING btree ("incident_id","channel_id","created_at");--> statement-breakpoint
CREATE INDEX "deliveries_channel_idx" ON "alerts"."deliveries" USING btree ("channel_id","created_at");--> statement-breakpoint
CREATE INDEX "incident_timers_due_idx" ON "alerts"."incident_timers" USING btree ("due_at");--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_one_open_per_integration" ON "alerts"."incidents" USING btree ("integration_id") WHERE "alerts"."incidents"."resolved_at" IS NULL;--> statement-breakpoint
CREATE UNIQUE INDEX "incidents_opened_by_event_uq" ON "alerts"."incidents" USING btree ("opened_by_event_id");--> statement-breakpoint
CREATE INDEX "incidents_tenant_list_idx" ON "alerts"."incidents" USING btree ("tenant_id","opened_at","id");--> statement-breakpoint
CREATE INDEX "incidents_tenant_integration_idx" ON "alerts"."incidents" USING btree ("tenant_id","integration_id","opened_at");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "alerts"."outbox" USING btree ("integration_id","sequence") WHERE "alerts"."outbox"."published_at" IS NULL;--> statement-breakpoint
CREATE INDEX "outbox_published_idx" ON "alerts"."outbox" USING btree ("published_at");--> statement-breakpoint
CREATE UNIQUE INDEX "policies_tenant_name_uq" ON "alerts"."policies" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "timeline_incident_idx" ON "alerts"."timeline" USING btree ("incident_id","id");