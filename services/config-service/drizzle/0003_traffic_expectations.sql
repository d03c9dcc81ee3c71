-- Passive health (issue 14): optional per-integration traffic expectations (non-secret JSON, validated by the API).
ALTER TABLE "config"."integrations" ADD COLUMN IF NOT EXISTS "traffic_expectations" jsonb;
