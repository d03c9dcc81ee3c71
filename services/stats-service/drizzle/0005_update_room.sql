-- Room for updates in place (issue 13). The current view and the roll-ups are rewritten on every check (an
-- integration's row per check, its hour row per check, its minute row when two checks share a minute); with
-- full pages (fillfactor 100) about 40 % of those updates found no room on their page, moved the row and added
-- an entry to every index (measured: 55-64 % HOT updates). Free space on each page keeps them HOT (no index
-- writes, the old version pruned on the page). Applies to pages written from now on.
ALTER TABLE "stats"."integrations" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "stats"."rollup_hour" SET (fillfactor = 70);
--> statement-breakpoint
ALTER TABLE "stats"."rollup_minute" SET (fillfactor = 80);
