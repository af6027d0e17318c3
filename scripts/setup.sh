#!/usr/bin/env bash
# Installs what Rivulet needs on a machine with only Node.js (>= 20) and npm:
# pnpm (pinned), the workspace dependencies, and the build.
set -euo pipefail
cd "$(dirname "$0")/.."

PNPM_VERSION="12.21.0"
if ! command -v pnpm >/dev/null 2>&1 || [ "$(pnpm --version 2>/dev/null)" != "$PNPM_VERSION" ]; then
  echo "setup: installing pnpm $PNPM_VERSION" >&2
  if ! npm install --global --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null 2>&1; then
    # No permission for a global install: keep pnpm inside the project.
    npm install --prefix .rivulet/tools --no-fund --no-audit "pnpm@$PNPM_VERSION" >/dev/null
    export PATH="$PWD/.rivulet/tools/node_modules/.bin:$PATH"
  fi
fi

# etcd (Debian's etcd-server 3.4) for the high-availability tests, which start
# their own etcd on free ports: install it when missing, never start it here.
install_etcd() {
  echo "setup: etcd not found, installing Debian's etcd-server and etcd-client with apt-get" >&2
  if ! { "$@" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq etcd-server etcd-client >/dev/null; }; then
    echo "setup: apt-get could not install etcd-server; the etcd tests will be skipped" >&2
  fi
}
if ! command -v etcd >/dev/null 2>&1; then
  if [ "$(id -u)" = "0" ]; then
    install_etcd
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    install_etcd sudo -n
  else
    echo "setup: etcd is not installed and apt-get needs root: the etcd tests need Debian's etcd-server (apt-get install etcd-server etcd-client); going on without it" >&2
  fi
fi

echo "setup: installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=silent
echo "setup: building" >&2
pnpm run --silent build
