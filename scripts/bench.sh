#!/usr/bin/env bash
# Load benchmark against a real chain (not part of the tests): submits invoices over two-way TLS (REST or signed
# WUS; closed loop or open loop) and prints accepted/s, end-to-end delivered/s, latency percentiles and the CPU per
# message of each process. All arguments go to bench/src/load.ts unchanged; see bench/README.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"
exec node --enable-source-maps bench/dist/src/load.js "$@"
