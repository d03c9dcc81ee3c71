-- Status snapshot for @hip/status-client (GET /stats/status-snapshot), kept apart from the stats read model:
-- its own consumer group records the next offset of every partition it applied IN THE SAME TRANSACTION as the rows,
-- so a snapshot names exactly the Kafka positions it is consistent with. Own migrations table (see decision 0841).
CREATE TABLE IF NOT EXISTS "stats"."status_snapshot" (
  "integration_id" uuid PRIMARY KEY,
  "tenant_id" text NOT NULL,
  "known" boolean NOT NULL DEFAULT false,
  "name" text,
  "type" text,
  "status" text,
  "status_since" timestamptz,
  "sequence" bigint,
  "snapshot_sequence" bigint,
  "deleted" boolean NOT NULL DEFAULT false,
  "incident" jsonb,
  "incident_sequence" bigint,
  "updated_at" timestamptz NOT NULL DEFAULT now()
);
--> statement-breakpoint
CREATE INDEX IF NOT EXISTS "status_snapshot_tenant_idx" ON "stats"."status_snapshot" ("tenant_id", "integration_id");
--> statement-breakpoint
CREATE TABLE IF NOT EXISTS "stats"."snapshot_offsets" (
  "topic" text NOT NULL,
  "partition" integer NOT NULL,
  "next_offset" bigint NOT NULL,
  PRIMARY KEY ("topic", "partition")
);
