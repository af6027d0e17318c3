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

# Servers and tools from Debian's packages that tests start or run on free
# ports of their own (never started here): etcd-server 3.4 for the
# high-availability tests, prometheus (promtool and the server) for the metric
# reference and alerting-rule tests, nats-server 2.9 (JetStream) for the NATS
# connector tests (Debian puts it in /usr/sbin), chromium (/usr/bin/chromium) for the
# dashboard's browser tests and bench/dashboard, driven by playwright-core, and
# openssl for deploy/certs/create-certificates.sh, with which the security tests make
# their certificates. Installed with apt-get when missing; a test whose tool is missing
# fails naming the package.
missing_packages=()
command -v etcd >/dev/null 2>&1 || missing_packages+=(etcd-server etcd-client)
command -v promtool >/dev/null 2>&1 || missing_packages+=(prometheus)
command -v nats-server >/dev/null 2>&1 || [ -x /usr/sbin/nats-server ] || missing_packages+=(nats-server)
[ -x /usr/bin/chromium ] || missing_packages+=(chromium)
command -v openssl >/dev/null 2>&1 || missing_packages+=(openssl)
install_packages() {
  echo "setup: installing Debian packages with apt-get: ${missing_packages[*]}" >&2
  if ! { "$@" env DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    "$@" env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing_packages[@]}" >/dev/null; }; then
    echo "setup: apt-get could not install ${missing_packages[*]}; the tests that need them will fail naming the package" >&2
  fi
}
if [ "${#missing_packages[@]}" -gt 0 ]; then
  if [ "$(id -u)" = "0" ]; then
    install_packages
  elif command -v sudo >/dev/null 2>&1 && sudo -n true 2>/dev/null; then
    install_packages sudo -n
  else
    echo "setup: apt-get needs root to install ${missing_packages[*]} (apt-get install --no-install-recommends ${missing_packages[*]}); going on without them" >&2
  fi
fi

echo "setup: installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=silent
echo "setup: building" >&2
pnpm run --silent build
