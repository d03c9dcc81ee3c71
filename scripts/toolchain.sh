# shellcheck shell=bash
# Sourced by ./dev and .ci/run: puts Node 24 and pnpm on PATH, installing them (outside git) when missing.
# Node comes from the npm registry package `node@24` (the real binary); pnpm is installed with npm because
# corepack's signature check fails on this machine kind.
HIP_CACHE_DIR="${HIP_CACHE_DIR:-$HOME/.cache/hip}"
# Node trusts only its bundled CAs; where the registry is reached through a TLS proxy whose CA is in the system
# bundle, npm/pnpm/node fail with SELF_SIGNED_CERT_IN_CHAIN unless they are pointed at it.
if [ -z "${NODE_EXTRA_CA_CERTS:-}" ] && [ -r /etc/ssl/certs/ca-certificates.crt ]; then
  export NODE_EXTRA_CA_CERTS=/etc/ssl/certs/ca-certificates.crt
fi
export HIP_CACHE_DIR
NODE_MAJOR=24
PNPM_VERSION=12.4.2

_node_major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

ensure_node() {
  if command -v node >/dev/null 2>&1 && [ "$(_node_major node)" -ge "$NODE_MAJOR" ]; then return 0; fi
  local dir="$HIP_CACHE_DIR/node$NODE_MAJOR"
  if [ ! -x "$dir/node_modules/.bin/node" ]; then
    echo "[toolchain] installing Node $NODE_MAJOR into $dir (npm registry package node@$NODE_MAJOR)" >&2
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "node@$NODE_MAJOR" >&2
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

ensure_pnpm() {
  local dir="$HIP_CACHE_DIR/pnpm-$PNPM_VERSION"
  if [ ! -x "$dir/node_modules/.bin/pnpm" ]; then
    echo "[toolchain] installing pnpm $PNPM_VERSION into $dir" >&2
    mkdir -p "$dir"
    npm install --silent --no-audit --no-fund --prefix "$dir" "pnpm@$PNPM_VERSION" >&2
  fi
  export PATH="$dir/node_modules/.bin:$PATH"
}

ensure_node
ensure_pnpm
