-- Element-wise sum of two latency histograms (same fixed bucket layout), used by the roll-up upserts.
CREATE OR REPLACE FUNCTION "stats"."hist_add"(a integer[], b integer[]) RETURNS integer[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT coalesce(array_agg(coalesce(x, 0) + coalesce(y, 0) ORDER BY i), '{}')
  FROM unnest(a, b) WITH ORDINALITY AS u(x, y, i)
$$;
--> statement-breakpoint
INSERT INTO "stats"."projection_state" ("id") VALUES (1) ON CONFLICT DO NOTHING;
