CREATE SCHEMA IF NOT EXISTS "config";
--> statement-breakpoint
CREATE TABLE "config"."audit_log" (
	"id" bigserial PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
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
CREATE TABLE "config"."connection_tests" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"integration_id" uuid NOT NULL,
	"status" text NOT NULL,
	"requested_by" text NOT NULL,
	"requested_at" timestamp with time zone NOT NULL,
	"completed_at" timestamp with time zone,
	"result" jsonb
);
--> statement-breakpoint
CREATE TABLE "config"."integrations" (
	"id" uuid PRIMARY KEY NOT NULL,
	"tenant_id" text NOT NULL,
	"name" text NOT NULL,
	"type" text NOT NULL,
	"provider" text,
	"description" text,
	"endpoint" text,
	"webhook_url" text,
	"auth_type" text NOT NULL,
	"username" text,
	"token_url" text,
	"client_id" text,
	"scope" text,
	"api_key_enc" text,
	"api_secret_enc" text,
	"password_enc" text,
	"token_enc" text,
	"client_secret_enc" text,
	"headers" jsonb,
	"secret_headers_enc" text,
	"secret_masks" jsonb DEFAULT '{"fields":{},"headers":{}}'::jsonb NOT NULL,
	"status" text NOT NULL,
	"config" jsonb,
	"timeout" integer NOT NULL,
	"retry_attempts" integer NOT NULL,
	"health_enabled" boolean NOT NULL,
	"health_interval_seconds" integer NOT NULL,
	"failure_threshold" integer NOT NULL,
	"consecutive_failures" integer DEFAULT 0 NOT NULL,
	"last_synced_at" timestamp with time zone,
	"last_error" text,
	"version" integer DEFAULT 1 NOT NULL,
	"event_seq" bigint DEFAULT 0 NOT NULL,
	"created_by" text NOT NULL,
	"updated_by" text NOT NULL,
	"created_at" timestamp with time zone NOT NULL,
	"updated_at" timestamp with time zone NOT NULL
);
--> statement-breakpoint
CREATE TABLE "config"."outbox" (
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
CREATE TABLE "config"."processed_events" (
	"event_id" uuid PRIMARY KEY NOT NULL,
	"processed_at" timestamp with time zone DEFAULT now() NOT NULL
);
--> statement-breakpoint
ALTER TABLE "config"."connection_tests" ADD CONSTRAINT "connection_tests_integration_id_integrations_id_fk" FOREIGN KEY ("integration_id") REFERENCES "config"."integrations"("id") ON DELETE cascade ON UPDATE no action;--> statement-breakpoint
CREATE INDEX "audit_log_entity_idx" ON "config"."audit_log" USING btree ("tenant_id","entity_id","id");--> statement-breakpoint
CREATE INDEX "connection_tests_integration_idx" ON "config"."connection_tests" USING btree ("tenant_id","integration_id","requested_at");--> statement-breakpoint
CREATE UNIQUE INDEX "integrations_tenant_name_uq" ON "config"."integrations" USING btree ("tenant_id",lower("name"));--> statement-breakpoint
CREATE INDEX "integrations_tenant_created_idx" ON "config"."integrations" USING btree ("tenant_id","created_at","id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_updated_idx" ON "config"."integrations" USING btree ("tenant_id","updated_at","id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_name_idx" ON "config"."integrations" USING btree ("tenant_id","name","id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_type_idx" ON "config"."integrations" USING btree ("tenant_id","type","created_at","id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_status_idx" ON "config"."integrations" USING btree ("tenant_id","status","created_at","id");--> statement-breakpoint
CREATE INDEX "integrations_tenant_provider_idx" ON "config"."integrations" USING btree ("tenant_id","provider","created_at","id");--> statement-breakpoint
CREATE INDEX "outbox_unpublished_idx" ON "config"."outbox" USING btree ("integration_id","sequence") WHERE "config"."outbox"."published_at" IS NULL;--> statement-breakpoint
CREATE INDEX "outbox_published_idx" ON "config"."outbox" USING btree ("published_at");