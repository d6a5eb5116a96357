#!/usr/bin/env bash
# Runs every test of Poort on this machine: it installs the toolchain, starts real Kafka and Postgres, builds,
# lints (including module boundaries) and runs unit, integration and end-to-end tests.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"

echo "[test] linting" >&2
pnpm run --silent lint

# Each test file that needs the chain makes its own database and Kafka namespace; files run one at a time.
export POORT_ROOT="$ROOT"
mapfile -t files < <(find libs services e2e tooling -path '*/node_modules' -prune -o -path '*/dist/test/*' -name '*.test.js' -print | sort)
echo "[test] ${#files[@]} test files" >&2
node --enable-source-maps --test --test-concurrency=1 --test-reporter=spec --test-timeout=300000 "${files[@]}"
