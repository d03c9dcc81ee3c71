#!/bin/sh
# Applies the service's migrations (if it has any), then runs it in the foreground as PID 1's child.
set -e
if [ -f src/db/migrate.ts ]; then node src/db/migrate.ts; fi
if [ "$SERVICE" = "dashboard" ]; then exec node server/main.ts; fi
exec node src/main.ts
