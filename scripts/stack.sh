# shellcheck shell=bash
# Functions behind ./dev. Commands that run Node source scripts/toolchain.sh first (Node 24 and pnpm on PATH).
RUN_DIR="$ROOT/.run"
# Where ./dev's services listen: loopback only (the services' own default, 0.0.0.0, is for containers).
# HIP_BIND_HOST=0.0.0.0 ./dev up exposes them on every interface.
DEV_BIND_HOST="${HIP_BIND_HOST:-127.0.0.1}"
# smtp-sink: development SMTP server that keeps the alert service's mails (SMTP :2525, view on http :8025).
SERVICES=(smtp-sink config-service stats-service probe-worker alert-service dashboard)
declare -A PORTS=([config-service]=3001 [dashboard]=3002 [stats-service]=3003 [probe-worker]=3004 [alert-service]=3005 [smtp-sink]=8025)

say() { echo "[dev] $*" >&2; }

# shellcheck source=scripts/apt.sh
source "$ROOT/scripts/apt.sh"
# shellcheck source=scripts/stores.sh
source "$ROOT/scripts/stores.sh"
# shellcheck source=scripts/demo.sh
source "$ROOT/scripts/demo.sh"

install_deps() {
  say "installing dependencies (pnpm install --frozen-lockfile)"
  pnpm install --frozen-lockfile --reporter=append-only >"$HIP_CACHE_DIR/pnpm-install.log" 2>&1 || {
    tail -40 "$HIP_CACHE_DIR/pnpm-install.log" >&2
    return 1
  }
}

ensure_stores() {
  ensure_postgres
  ensure_redis
  "$ROOT/deploy/kafka.sh" start
}

load_env() {
  set -a
  # shellcheck source=deploy/dev.env
  source "$ROOT/deploy/dev.env"
  set +a
}

ensure_test_tools() {
  local missing=()
  command -v chromium >/dev/null 2>&1 || missing+=(chromium)
  command -v storescp >/dev/null 2>&1 || missing+=(dcmtk)
  [ "${#missing[@]}" -eq 0 ] || apt_install "browser and DICOM tools for the tests" "${missing[@]}"
}


service_pid() { cat "$RUN_DIR/$1.pid" 2>/dev/null || true; }
service_running() { local pid; pid="$(service_pid "$1")"; [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null; }

start_service() {
  local name="$1" port="${PORTS[$1]}"
  if service_running "$name"; then say "$name already running (pid $(service_pid "$name"))"; return 0; fi
  local entry="services/$name/src/main.ts" dir="$name"
  [ "$name" = dashboard ] && entry="services/dashboard/server/main.ts"
  [ "$name" = smtp-sink ] && entry="services/alert-service/src/dev/smtp-sink.ts" && dir=alert-service
  mkdir -p "$RUN_DIR/logs"
  say "starting $name on :$port (log: .run/logs/$name.log)"
  # A plain background command (no subshell), so $! is the node process itself and no pipe stays open.
  cd "$ROOT/services/$dir"
  # A 64 MB young generation for every service: at 1,000+ checks/s a smaller one spent ~15 % of the system's CPU
  # in scavenges (decision 0271). The probe worker's old space is capped too (decision 0262): under its
  # allocation rate V8 would otherwise grow it to a multiple of the live data. An operator's NODE_OPTIONS wins.
  local node_options="${NODE_OPTIONS:---max-semi-space-size=64}"
  [ "$name" = probe-worker ] && node_options="${NODE_OPTIONS:---max-old-space-size=384 --max-semi-space-size=64}"
  HOST="$DEV_BIND_HOST" SMTP_SINK_HOST="$DEV_BIND_HOST" PORT="$port" NODE_OPTIONS="$node_options" nohup node "$ROOT/$entry" >>"$RUN_DIR/logs/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
  cd "$ROOT"
}

wait_ready() {
  local name="$1" port="${PORTS[$1]}" deadline=$((SECONDS + ${READY_TIMEOUT:-90}))
  until curl -fsS "http://127.0.0.1:$port/ready" >/dev/null 2>&1; do
    if ! service_running "$name"; then say "$name exited; last log lines:"; tail -30 "$RUN_DIR/logs/$name.log" >&2; return 1; fi
    if [ "$SECONDS" -ge "$deadline" ]; then say "$name not ready after ${READY_TIMEOUT:-90}s"; curl -sS "http://127.0.0.1:$port/ready" >&2 || true; return 1; fi
    sleep 0.5
  done
  say "$name ready: http://127.0.0.1:$port"
}

stack_up() {
  install_deps
  ensure_stores
  load_env
  ensure_database hip
  say "applying migrations"
  (cd services/config-service && node src/db/migrate.ts)
  (cd services/stats-service && node src/db/migrate.ts)
  (cd services/alert-service && node src/db/migrate.ts)
  say "building the dashboard"
  pnpm --filter @hip/dashboard run build >"$HIP_CACHE_DIR/dashboard-build.log" 2>&1 || { tail -30 "$HIP_CACHE_DIR/dashboard-build.log" >&2; return 1; }
  for s in "${SERVICES[@]}"; do start_service "$s"; done
  for s in "${SERVICES[@]}"; do wait_ready "$s"; done
  say "all services ready. Dashboard: http://127.0.0.1:3002/dashboard/integration"
  say "mails sent by the alert service: http://127.0.0.1:8025/ (SMTP sink on 127.0.0.1:2525)"
  say "an admin token for tenant t1:  ./dev token --tenant t1 --role admin"
}

stack_down() {
  demo_down
  for s in "${SERVICES[@]}"; do
    if service_running "$s"; then
      local pid; pid="$(service_pid "$s")"
      say "stopping $s (pid $pid)"
      kill -TERM "$pid" 2>/dev/null || true
      for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || break; sleep 0.25; done
      kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
    fi
    rm -f "$RUN_DIR/$s.pid"
  done
  if [ "${1:-}" != "--keep-kafka" ]; then "$ROOT/deploy/kafka.sh" stop; fi
}

stack_status() {
  for s in "${SERVICES[@]}"; do
    if service_running "$s"; then echo "$s: running (pid $(service_pid "$s"), :${PORTS[$s]})"; else echo "$s: stopped"; fi
  done
  if service_running simulators; then
    echo "simulators: running (pid $(service_pid simulators), :$((DEMO_BASE_PORT + 1))-$((DEMO_BASE_PORT + 12)))"
  fi
  echo -n "kafka: "; "$ROOT/deploy/kafka.sh" status || true
}

stack_logs() {
  local s="${1:-config-service}"
  if [ "$s" = kafka ]; then "$ROOT/deploy/kafka.sh" logs; else tail -n 100 "$RUN_DIR/logs/$s.log"; fi
}

run_tests() {
  install_deps
  ensure_stores
  ensure_test_tools
  # shellcheck source=scripts/test-env.sh
  source "$ROOT/scripts/test-env.sh"
  say "lint"
  pnpm run lint
  say "typecheck"
  pnpm run typecheck
  say "tests (vitest, real PostgreSQL/Redis/Kafka)"
  pnpm exec vitest run "$@"
}
