#!/usr/bin/env bash
# Load benchmark against a real chain (not part of the tests): submits N invoices over two-way TLS and prints
# accepted/s, end-to-end delivered/s and latency percentiles. Arguments go to bench/src/load.ts.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
source scripts/bootstrap.sh
scripts/infra/up.sh
source scripts/infra/env.sh
pnpm run --silent build
exec node --enable-source-maps bench/dist/src/load.js "$@"
