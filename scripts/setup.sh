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

echo "setup: installing dependencies" >&2
pnpm install --frozen-lockfile --reporter=silent
echo "setup: building" >&2
pnpm run --silent build
