# shellcheck shell=bash
# PostgreSQL and Redis for ./dev up, ./dev test and ./dev stores. Sourced by scripts/stack.sh (needs `say` and
# scripts/apt.sh).
#
# Order, for each store: (1) something already answers on the port -> use it, change nothing; (2) the server is
# installed but stopped -> start it; (3) it is not installed -> install it from the distribution's packages
# (apt-get: Debian, Ubuntu), initialise it and start it. No systemd is assumed: PostgreSQL is started with
# pg_ctlcluster (Debian's wrapper around pg_ctl), Redis with `redis-server --daemonize yes`.
#
# A PostgreSQL cluster created or installed here trusts connections from 127.0.0.1 and ::1 (development only,
# like the machine this project is developed on), so the passwordless URLs of deploy/dev.env work unchanged.
# See docs/first-run.md.
HIP_PG_PORT="${HIP_PG_PORT:-5432}"
HIP_REDIS_PORT="${HIP_REDIS_PORT:-6379}"
HIP_CACHE_DIR="${HIP_CACHE_DIR:-$HOME/.cache/hip}"
_HIP_HBA_MARK="# integration-health-platform ./dev: development only, trust on loopback"

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# --- PostgreSQL -------------------------------------------------------------------------------------------------

pg_newest_version() { find /usr/lib/postgresql -mindepth 1 -maxdepth 1 -printf '%f\n' 2>/dev/null | sort -V | tail -1; }

pg_server_installed() {
  local v
  v="$(pg_newest_version)"
  [ -n "$v" ] && [ -x "/usr/lib/postgresql/$v/bin/postgres" ] && command -v pg_ctlcluster >/dev/null 2>&1
}

# Prepends trust lines for loopback to the cluster's pg_hba.conf (first match wins); idempotent.
pg_trust_loopback() {
  local hba="/etc/postgresql/$1/$2/pg_hba.conf"
  if as_root grep -qF "$_HIP_HBA_MARK" "$hba"; then return 0; fi
  say "PostgreSQL $1/$2: trusting connections from 127.0.0.1 and ::1 (development only; $hba)"
  local tmp
  tmp="$(mktemp)"
  { printf '%s\nhost all all 127.0.0.1/32 trust\nhost all all ::1/128 trust\n\n' "$_HIP_HBA_MARK"; as_root cat "$hba"; } >"$tmp"
  as_root cp "$tmp" "$hba"
  rm -f "$tmp"
}

pg_cluster_port() { pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$2" '$1 == v && $2 == c { print $3 }'; }
pg_cluster_online() { pg_lsclusters -h 2>/dev/null | awk -v v="$1" -v c="$2" '$1 == v && $2 == c { print $4 }' | grep -q online; }

ensure_postgres() {
  local port="$HIP_PG_PORT" installed="" ver
  if port_open "$port"; then
    command -v psql >/dev/null 2>&1 || apt_install "the PostgreSQL client" postgresql-client
    pg_check_login
    return
  fi
  if ! pg_server_installed; then
    apt_install "PostgreSQL" postgresql
    installed=1
  fi
  ver="$(pg_newest_version)"
  if [ -z "$(pg_cluster_port "$ver" main)" ]; then
    say "PostgreSQL $ver: creating cluster main on port $port (pg_createcluster, trust on loopback)"
    as_root pg_createcluster --port "$port" "$ver" main -- --auth-host=trust --auth-local=peer >/dev/null
    pg_trust_loopback "$ver" main
  elif [ -n "$installed" ]; then
    # The package's post-install script created (and maybe started) cluster main with password auth.
    pg_trust_loopback "$ver" main
    if [ "$(pg_cluster_port "$ver" main)" != "$port" ]; then
      say "PostgreSQL $ver/main: setting port $port"
      as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main stop >/dev/null 2>&1 || true
      as_root pg_conftool "$ver" main set port "$port"
    fi
    if pg_cluster_online "$ver" main; then as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main reload; fi
  elif [ "$(pg_cluster_port "$ver" main)" != "$port" ]; then
    say "PostgreSQL cluster $ver/main is configured for port $(pg_cluster_port "$ver" main), not $port."
    say "Start it yourself, or set HIP_PG_PORT and point DATABASE_URL / TEST_POSTGRES_URL at it."
    return 1
  fi
  if ! port_open "$port"; then
    say "starting PostgreSQL $ver/main on 127.0.0.1:$port (pg_ctlcluster)"
    as_root pg_ctlcluster --skip-systemctl-redirect "$ver" main start
  fi
  for _ in $(seq 1 120); do
    if pg_isready -q -h 127.0.0.1 -p "$port" 2>/dev/null; then
      pg_check_login
      return
    fi
    sleep 0.5
  done
  say "PostgreSQL did not become ready on 127.0.0.1:$port; log: /var/log/postgresql/postgresql-$ver-main.log"
  return 1
}

# The URLs in deploy/dev.env connect as postgres without a password: say so plainly when that is refused.
pg_check_login() {
  local out
  if out="$(PGCONNECT_TIMEOUT=5 psql -h 127.0.0.1 -p "$HIP_PG_PORT" -U postgres -d postgres -XtAc 'select 1' 2>&1)"; then
    return 0
  fi
  say "PostgreSQL on 127.0.0.1:$HIP_PG_PORT refuses user postgres without a password: $out"
  say "Either allow it for development (a line 'host all all 127.0.0.1/32 trust' at the top of pg_hba.conf),"
  say "or put a password in DATABASE_URL (deploy/dev.env) and TEST_POSTGRES_URL, and export PGPASSWORD."
  return 1
}

# --- Redis ------------------------------------------------------------------------------------------------------

redis_ping() {
  local reply=""
  {
    exec 3<>"/dev/tcp/127.0.0.1/$1" || return 1
    printf 'PING\r\n' >&3
    IFS= read -r -t 2 reply <&3 || true
    exec 3>&-
  } 2>/dev/null
  [[ "$reply" == "+PONG"* ]]
}

ensure_redis() {
  local port="$HIP_REDIS_PORT"
  if redis_ping "$port"; then return 0; fi
  if port_open "$port"; then
    say "something on 127.0.0.1:$port does not answer Redis PING; set HIP_REDIS_PORT and REDIS_URL"
    return 1
  fi
  if ! command -v redis-server >/dev/null 2>&1; then
    apt_install "Redis" redis-server
    # Where an init system runs, the package starts its own server on 6379.
    for _ in $(seq 1 8); do redis_ping "$port" && return 0; sleep 0.25; done
  fi
  local dir="$HIP_CACHE_DIR/redis-$port"
  mkdir -p "$dir"
  say "starting Redis on 127.0.0.1:$port (redis-server --daemonize yes; data and log in $dir)"
  redis-server --daemonize yes --bind 127.0.0.1 --port "$port" --dir "$dir" --logfile "$dir/redis.log" \
    --pidfile "$dir/redis.pid" --save "" --appendonly yes >/dev/null
  for _ in $(seq 1 40); do redis_ping "$port" && return 0; sleep 0.25; done
  say "Redis did not start; log: $dir/redis.log"
  tail -20 "$dir/redis.log" >&2 || true
  return 1
}

ensure_database() {
  local db="$1"
  if ! psql -h 127.0.0.1 -p "$HIP_PG_PORT" -U postgres -d postgres -XtAc "SELECT 1 FROM pg_database WHERE datname='$db'" | grep -q 1; then
    say "creating database $db"
    psql -h 127.0.0.1 -p "$HIP_PG_PORT" -U postgres -d postgres -Xqc "CREATE DATABASE \"$db\"" >/dev/null
  fi
}
