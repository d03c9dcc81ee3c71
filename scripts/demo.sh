# shellcheck shell=bash
# ./dev demo: the stack of ./dev up, plus simulated hospital systems on loopback (demo/, libs/simulators) and a
# `demo` tenant seeded through the REST API. Sourced by scripts/stack.sh. See README "Demo" and docs/demo.md.
DEMO_BASE_PORT="${DEMO_BASE_PORT:-3100}"

demo_start_simulators() {
  if service_running simulators; then
    say "simulators already running (pid $(service_pid simulators))"
    return 0
  fi
  command -v storescp >/dev/null 2>&1 || apt_install "DCMTK (storescp is the demo's DICOM SCP)" dcmtk
  mkdir -p "$RUN_DIR/logs"
  rm -f "$RUN_DIR/simulators.json"
  say "starting simulators on 127.0.0.1:$((DEMO_BASE_PORT + 1))-$((DEMO_BASE_PORT + 12)) (log: .run/logs/simulators.log)"
  nohup node "$ROOT/demo/src/main.ts" simulators --base-port "$DEMO_BASE_PORT" \
    --ready-file "$RUN_DIR/simulators.json" >>"$RUN_DIR/logs/simulators.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/simulators.pid"
  local deadline=$((SECONDS + 30))
  until [ -f "$RUN_DIR/simulators.json" ]; do
    if ! service_running simulators || [ "$SECONDS" -ge "$deadline" ]; then
      say "simulators did not start; last log lines:"
      tail -20 "$RUN_DIR/logs/simulators.log" >&2
      return 1
    fi
    sleep 0.2
  done
  # storescp runs as the simulators' child; keep its PID too, so `down` can stop it even if its parent died.
  grep -o '"childPids":\[[0-9,]*\]' "$RUN_DIR/simulators.json" | grep -o '[0-9]\+' >"$RUN_DIR/simulators-children.pid" || true
  say "simulators ready (pid $(service_pid simulators))"
}

demo_seed() {
  say "seeding tenant demo through the REST API (idempotent)"
  local token
  token="$(node "$ROOT/scripts/token.ts" --tenant demo --role admin --sub demo-seed --ttl 900)"
  DEMO_TOKEN="$token" node "$ROOT/demo/src/main.ts" seed --base-port "$DEMO_BASE_PORT" \
    --config-url "http://127.0.0.1:${PORTS[config-service]}" >&2
}

stack_demo() {
  stack_up
  demo_start_simulators
  demo_seed
  say "demo ready: http://127.0.0.1:${PORTS[dashboard]}/dashboard/integration"
  say "sign in with the development sign-in: tenant demo, role Admin. Checks run every 10-30 s."
  say "webhook deliveries received: curl -s http://127.0.0.1:$((DEMO_BASE_PORT + 12))/deliveries"
}

stop_pid() {
  local what="$1" pid="$2"
  [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null || return 0
  say "stopping $what (pid $pid)"
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 40); do kill -0 "$pid" 2>/dev/null || return 0; sleep 0.25; done
  kill -KILL "$pid" 2>/dev/null || true
}

demo_down() {
  stop_pid simulators "$(service_pid simulators)"
  local child
  while read -r child; do
    # Only if it still is storescp: a PID can be reused after the process is gone.
    if [ "$(cat "/proc/$child/comm" 2>/dev/null)" = storescp ]; then stop_pid storescp "$child"; fi
  done < <(cat "$RUN_DIR/simulators-children.pid" 2>/dev/null || true)
  rm -f "$RUN_DIR/simulators.pid" "$RUN_DIR/simulators-children.pid" "$RUN_DIR/simulators.json"
}
