#!/usr/bin/env bash
# From a fresh clone: set-up, build, then a local cluster (JobManager and two
# TaskManagers on this machine, embedded defaults) until Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
exec node packages/cli/dist/src/main.js local --run examples/wordcount.ts "$@"
