#!/usr/bin/env bash
# Benchmarks (not part of the tests); see bench/README.md.
#   scripts/bench.sh [options]             load benchmark against a real chain: submits invoices over two-way TLS (REST
#                                          or signed WUS; closed or open loop) and prints accepted/s, end-to-end
#                                          delivered/s, latency percentiles and the CPU per message of each process
#                                          (bench/src/load.ts; brings Kafka and Postgres up).
#   scripts/bench.sh validation [options]  validation benchmark: the UBL 2.1 schema and the Schematron rules per invoice
#                                          size, time and CPU per invoice (bench/src/validation.ts; no Kafka, no Postgres).
# All other arguments go to the benchmark unchanged.
set -euo pipefail
if [ "${1:-}" = validation ]; then
  shift
  cd "$(dirname "${BASH_SOURCE[0]}")/.."
  export POORT_CMD="scripts/${0##*/}"
  source scripts/bootstrap.sh
  echo "[bench] building" >&2
  pnpm run --silent build
  exec node --enable-source-maps bench/dist/src/validation.js "$@"
fi
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"
exec node --enable-source-maps bench/dist/src/load.js "$@"
