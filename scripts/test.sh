#!/usr/bin/env bash
# The whole test suite, from a fresh clone: set-up, build, then every test.
set -euo pipefail
cd "$(dirname "$0")/.."
source scripts/setup.sh
node scripts/run-tests.mjs "$@"
