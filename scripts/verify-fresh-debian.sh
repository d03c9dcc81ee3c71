#!/usr/bin/env bash
# Manual check (not part of ./dev test; needs root, debootstrap and network): does `./dev stores` install,
# initialise and start PostgreSQL and Redis on a plain Debian bookworm with neither? See docs/first-run.md.
#
#   sudo scripts/verify-fresh-debian.sh [--keep | --installed | --no-cluster]
#
#   --keep        leave PostgreSQL and Redis running and the chroot mounted afterwards
#   --installed   on a root where a previous run installed them (now stopped): ./dev stores must only start them
#   --no-cluster  the same, after `pg_dropcluster`: ./dev stores must create the cluster (pg_createcluster)
#   --base-tools  on such a root: the step of ./dev up/test before Node (curl, openssl, npm, a JRE 17, Maven from
#                 apt), then scripts/toolchain.sh (Node 24 and pnpm from the npm registry). The host's extra CA
#                 certificates (/usr/local/share/ca-certificates) are copied in first, for a TLS-intercepting proxy.
#
# 1. debootstrap a minimal bookworm root (variant minbase: what a `debian:bookworm` container has) into
#    $CHROOT_DIR (default /var/tmp/hip-chroot-bookworm), once; later runs reuse it after checking it holds no
#    PostgreSQL or Redis (delete the directory for a fresh one).
# 2. copy `dev`, scripts/ and deploy/ into it, and run `./dev stores` there with HIP_PG_PORT/HIP_REDIS_PORT set to
#    ports the host does not use (the chroot shares the host's network; the host may run its own PostgreSQL and
#    Redis on 5432/6379, which this never touches). policy-rc.d keeps packages from starting services themselves,
#    as in a container without an init system.
# 3. check PostgreSQL (database hip, user postgres over TCP without a password) and Redis (PING) answer, run
#    `./dev stores` a second time (it must keep the running ones: no apt, no start), then stop both by PID and
#    unmount, unless --keep.
set -euo pipefail
REPO="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
CHROOT_DIR="${CHROOT_DIR:-/var/tmp/hip-chroot-bookworm}"
MIRROR="${MIRROR:-http://deb.debian.org/debian}"
PG_PORT="${HIP_PG_PORT:-55432}"
REDIS_PORT="${HIP_REDIS_PORT:-56379}"
KEEP="${1:-}"

log() { echo "[verify] $*" >&2; }
[ "$(id -u)" -eq 0 ] || { log "run as root"; exit 1; }
command -v debootstrap >/dev/null || { log "needs debootstrap (apt-get install debootstrap)"; exit 1; }
for p in "$PG_PORT" "$REDIS_PORT"; do
  if (exec 3<>"/dev/tcp/127.0.0.1/$p") 2>/dev/null; then log "port $p is in use on this host; pick others (HIP_PG_PORT, HIP_REDIS_PORT)"; exit 1; fi
done

if [ ! -x "$CHROOT_DIR/bin/bash" ]; then
  log "debootstrap --variant=minbase bookworm $CHROOT_DIR"
  mkdir -p "$CHROOT_DIR"
  debootstrap --variant=minbase bookworm "$CHROOT_DIR" "$MIRROR" >"$CHROOT_DIR.debootstrap.log" 2>&1
fi
installed=no
if [ -e "$CHROOT_DIR/usr/bin/pg_ctlcluster" ] || [ -e "$CHROOT_DIR/usr/bin/redis-server" ]; then installed=yes; fi
case "$KEEP:$installed" in
  --installed:no | --no-cluster:no | --base-tools:no) log "nothing installed in $CHROOT_DIR yet: run without options first"; exit 1 ;;
  --installed:yes | --no-cluster:yes | --base-tools:yes) ;;
  *:yes) log "$CHROOT_DIR already has PostgreSQL or Redis: remove the directory for a fresh root, or pass --installed"; exit 1 ;;
esac

mounted=()
cleanup() {
  if [ "$KEEP" != "--keep" ]; then
    # Stop only processes whose root is the chroot (never the host's PostgreSQL or Redis), by PID.
    local pid
    for pid in $(pgrep -x 'postgres|redis-server' || true); do
      if [ "$(readlink "/proc/$pid/root")" = "$CHROOT_DIR" ] && [ "$(ps -o ppid= -p "$pid" | tr -d ' ')" = 1 ]; then
        log "stopping pid $pid ($(cat "/proc/$pid/comm")) of the chroot"
        kill -TERM "$pid"
      fi
    done
    sleep 3
  fi
  for ((i = ${#mounted[@]} - 1; i >= 0; i--)); do umount "${mounted[$i]}" 2>/dev/null || umount -l "${mounted[$i]}"; done
}
trap cleanup EXIT
mount -t proc proc "$CHROOT_DIR/proc" && mounted+=("$CHROOT_DIR/proc")
mount --bind /dev "$CHROOT_DIR/dev" && mounted+=("$CHROOT_DIR/dev")
mount --bind /dev/pts "$CHROOT_DIR/dev/pts" && mounted+=("$CHROOT_DIR/dev/pts")
cp /etc/resolv.conf "$CHROOT_DIR/etc/resolv.conf"
printf '#!/bin/sh\n# no init system here: packages must not start services\nexit 101\n' >"$CHROOT_DIR/usr/sbin/policy-rc.d"
chmod +x "$CHROOT_DIR/usr/sbin/policy-rc.d"
rm -rf "$CHROOT_DIR/opt/hip"
mkdir -p "$CHROOT_DIR/opt/hip"
cp -a "$REPO/dev" "$REPO/scripts" "$REPO/deploy" "$CHROOT_DIR/opt/hip/"

in_chroot() {
  chroot "$CHROOT_DIR" /usr/bin/env -i HOME=/root PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 HIP_PG_PORT="$PG_PORT" HIP_REDIS_PORT="$REDIS_PORT" /bin/bash -c "$1"
}

if [ "$KEEP" = --base-tools ]; then
  mkdir -p "$CHROOT_DIR/usr/local/share/ca-certificates"
  cp /usr/local/share/ca-certificates/*.crt "$CHROOT_DIR/usr/local/share/ca-certificates/" 2>/dev/null || true
  log "before: $(in_chroot 'command -v curl openssl npm java mvn | tr "\n" " "; echo')"
  start=$SECONDS
  in_chroot 'cd /opt/hip && ROOT=/opt/hip && say() { echo "[dev] $*" >&2; } && source scripts/apt.sh && ensure_base_tools'
  log "base tools from apt: $((SECONDS - start)) s"
  in_chroot 'command -v update-ca-certificates >/dev/null && update-ca-certificates >/dev/null 2>&1 || true'
  start=$SECONDS
  in_chroot 'cd /opt/hip && source scripts/toolchain.sh && echo "node $(node -v), pnpm $(pnpm -v)"'
  log "Node 24 and pnpm (npm registry): $((SECONDS - start)) s"
  in_chroot 'java -version 2>&1 | head -1; mvn -v 2>/dev/null | head -1; curl --version | head -1'
  log "OK: base tools installed"
  exit 0
fi
if [ "$KEEP" = --no-cluster ]; then
  in_chroot 'for v in /etc/postgresql/*; do pg_dropcluster "$(basename "$v")" main; done'
fi
log "before: $(in_chroot 'command -v psql pg_ctlcluster redis-server | tr "\n" " " || echo "no PostgreSQL, no Redis"')"
log "clusters: $(in_chroot 'pg_lsclusters -h 2>/dev/null || true')"
start=$SECONDS
in_chroot 'cd /opt/hip && ./dev stores'
log "first ./dev stores: $((SECONDS - start)) s"
in_chroot "psql -h 127.0.0.1 -p $PG_PORT -U postgres -d hip -XtAc 'select current_database(), version()'"
in_chroot "exec 3<>/dev/tcp/127.0.0.1/$REDIS_PORT; printf 'PING\r\n' >&3; read -r r <&3; echo \"redis: \$r\""
start=$SECONDS
in_chroot 'cd /opt/hip && ./dev stores' 2>&1 | tee "$CHROOT_DIR/tmp/second-run.log" >&2
if grep -q "installing\|starting" "$CHROOT_DIR/tmp/second-run.log"; then log "FAIL: the second run installed or started something"; exit 1; fi
log "second ./dev stores (both running): $((SECONDS - start)) s, installed and started nothing"
log "OK: PostgreSQL on 127.0.0.1:$PG_PORT and Redis on 127.0.0.1:$REDIS_PORT installed, initialised, started, reachable"
