#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, combined broker+controller) from Maven Central jars, run with `java -cp`.
# Usage: deploy/kafka.sh start|stop|status|fetch|logs
# Env: KAFKA_PORT, KAFKA_CONTROLLER_PORT, KAFKA_STATE_DIR, KAFKA_HEAP_OPTS, KAFKA_VERSION, KAFKA_WAIT_SECONDS,
# KAFKA_EXTRA_PROPERTIES (lines appended to server.properties).
# Idempotent: `start` on a running broker only waits for it; `stop` on a stopped one does nothing.
# Jars and data live outside git, under $HIP_CACHE_DIR (default ~/.cache/hip).
set -euo pipefail

HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
KAFKA_VERSION="${KAFKA_VERSION:-4.1.2}"
CACHE="${HIP_CACHE_DIR:-$HOME/.cache/hip}"
LIBS="$CACHE/kafka-$KAFKA_VERSION/libs"
STATE="${KAFKA_STATE_DIR:-$CACHE/kafka-state}"
DATA="$STATE/data"
LOG="$STATE/kafka.log"
PIDFILE="$STATE/kafka.pid"
PORT="${KAFKA_PORT:-9092}"
CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-9093}"
WAIT_SECONDS="${KAFKA_WAIT_SECONDS:-90}"

log() { echo "[kafka] $*" >&2; }

fetch() {
  if [ -f "$LIBS/kafka_2.13-$KAFKA_VERSION.jar" ]; then return 0; fi
  log "fetching kafka_2.13:$KAFKA_VERSION and dependencies from Maven Central into $LIBS"
  mkdir -p "$LIBS"
  mvn -q -B -f "$HERE/kafka/pom.xml" -Dkafka.version="$KAFKA_VERSION" \
    dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$LIBS"
}

is_running() {
  [ -f "$PIDFILE" ] && kill -0 "$(cat "$PIDFILE")" 2>/dev/null
}

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$PORT") 2>/dev/null; }

write_config() {
  mkdir -p "$STATE"
  cat >"$STATE/server.properties" <<PROPS
process.roles=broker,controller
node.id=1
controller.quorum.bootstrap.servers=127.0.0.1:$CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$PORT,CONTROLLER://127.0.0.1:$CONTROLLER_PORT
advertised.listeners=PLAINTEXT://127.0.0.1:$PORT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
log.dirs=$DATA
num.partitions=3
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0
auto.create.topics.enable=true
delete.topic.enable=true
log.retention.hours=168
PROPS
  # Extra server properties, one per line (tests give their own brokers settings such as group.max.size).
  if [ -n "${KAFKA_EXTRA_PROPERTIES:-}" ]; then printf '%s\n' "$KAFKA_EXTRA_PROPERTIES" >>"$STATE/server.properties"; fi
  cat >"$STATE/log4j2.yaml" <<'YAML'
Configuration:
  Appenders:
    Console:
      name: STDOUT
      PatternLayout:
        pattern: "[%d] %p %m (%c)%n"
  Loggers:
    Root:
      level: WARN
      AppenderRef:
        - ref: STDOUT
    Logger:
      - name: kafka.server.KafkaRaftServer
        level: INFO
      - name: kafka.server.BrokerServer
        level: INFO
YAML
}

start() {
  fetch
  if is_running; then
    log "already running (pid $(cat "$PIDFILE"))"
  else
    if port_open; then log "port $PORT is already in use by another process"; exit 1; fi
    write_config
    if [ ! -f "$DATA/meta.properties" ]; then
      log "formatting KRaft storage in $DATA"
      java -cp "$LIBS/*" -Dlog4j2.configurationFile="$STATE/log4j2.yaml" kafka.tools.StorageTool format \
        --standalone -t "$(java -cp "$LIBS/*" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -1)" \
        -c "$STATE/server.properties" >>"$STATE/format.log" 2>&1
    fi
    # A fresh log per start, so readiness is judged on this run's lines only.
    [ -f "$LOG" ] && mv -f "$LOG" "$LOG.1"
    log "starting broker on 127.0.0.1:$PORT (log: $LOG)"
    # setsid: the broker outlives the shell that started it, in its own process group.
    setsid nohup java ${KAFKA_HEAP_OPTS:--Xms256m -Xmx1g} -XX:+UseG1GC -Djava.awt.headless=true \
      -Dlog4j2.configurationFile="$STATE/log4j2.yaml" -cp "$LIBS/*" kafka.Kafka "$STATE/server.properties" \
      >>"$LOG" 2>&1 </dev/null &
    echo $! >"$PIDFILE"
  fi
  local i=0
  until port_open && grep -q "Kafka Server started\|\[BrokerServer id=1\] Transition from STARTING to STARTED" "$LOG" 2>/dev/null; do
    if ! is_running; then log "broker exited; last log lines:"; tail -30 "$LOG" >&2; exit 1; fi
    i=$((i + 1))
    if [ "$i" -gt "$((WAIT_SECONDS * 2))" ]; then log "not ready after ${WAIT_SECONDS}s"; tail -30 "$LOG" >&2; exit 1; fi
    sleep 0.5
  done
  log "ready on 127.0.0.1:$PORT"
}

stop() {
  if ! is_running; then log "not running"; rm -f "$PIDFILE"; return 0; fi
  local pid; pid="$(cat "$PIDFILE")"
  log "stopping pid $pid"
  kill -TERM "$pid"
  for _ in $(seq 1 60); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
  if kill -0 "$pid" 2>/dev/null; then log "forcing pid $pid"; kill -KILL "$pid"; fi
  rm -f "$PIDFILE"
}

status() {
  if is_running && port_open; then echo "running (pid $(cat "$PIDFILE"), 127.0.0.1:$PORT)"; else echo "stopped"; return 3; fi
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  status) status ;;
  fetch) fetch ;;
  reset) stop; rm -rf "$STATE" ;;
  logs) tail -n "${2:-100}" "$LOG" ;;
  *) echo "usage: $0 start|stop|status|fetch|reset|logs" >&2; exit 2 ;;
esac
