# shellcheck shell=bash
# Installing what a plain Debian or Ubuntu machine lacks, from the distribution's packages (apt-get). Sourced by
# scripts/stack.sh (needs `say`). Each install says what it installs and why; `apt-get update` runs once per command.
HIP_CACHE_DIR="${HIP_CACHE_DIR:-$HOME/.cache/hip}"
_HIP_APT_UPDATED=""

as_root() {
  if [ "$(id -u)" -eq 0 ]; then
    "$@"
  elif command -v sudo >/dev/null 2>&1; then
    sudo "$@"
  else
    say "root is needed to run: $* (run as root, or install sudo)"
    return 1
  fi
}

apt_update() {
  if [ -n "$_HIP_APT_UPDATED" ]; then return 0; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    say "no apt-get here: install the packages named above with your package manager"
    return 1
  fi
  mkdir -p "$HIP_CACHE_DIR"
  local log="$HIP_CACHE_DIR/apt.log"
  say "apt-get update (log: $log)"
  as_root apt-get update -qq >>"$log" 2>&1 || { tail -20 "$log" >&2; return 1; }
  _HIP_APT_UPDATED=1
}

# apt_install <what, for the message> <package>...
apt_install() {
  local what="$1"
  shift
  say "installing $what (not found here) from the distribution's packages, once: $*"
  apt_update
  local log="$HIP_CACHE_DIR/apt.log"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$@" >>"$log" 2>&1 || {
    tail -30 "$log" >&2
    return 1
  }
}

# A Java 17+ runtime for the Kafka broker: openjdk-17 where the release has it, else the release's default JRE.
# Needs an updated package index (apt_update).
jre_package() {
  if apt-cache show openjdk-17-jre-headless >/dev/null 2>&1; then echo openjdk-17-jre-headless; else echo default-jre-headless; fi
}

# What ./dev up and ./dev test need before Node: curl (readiness checks), CA certificates and openssl (registries,
# TLS tests), npm (fetches Node 24 and pnpm), a JRE and Maven (the Kafka broker and its jars from Maven Central).
ensure_base_tools() {
  local missing=()
  command -v curl >/dev/null 2>&1 || missing+=(curl)
  [ -r /etc/ssl/certs/ca-certificates.crt ] || missing+=(ca-certificates)
  command -v openssl >/dev/null 2>&1 || missing+=(openssl)
  command -v npm >/dev/null 2>&1 || missing+=(npm)
  command -v mvn >/dev/null 2>&1 || missing+=(maven)
  if ! command -v java >/dev/null 2>&1; then
    apt_update
    missing+=("$(jre_package)")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then apt_install "base tools" "${missing[@]}"; fi
}
