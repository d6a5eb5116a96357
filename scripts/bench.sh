#!/usr/bin/env bash
# Load benchmark against a real chain (not part of the tests): submits N invoices over two-way TLS and prints
# accepted/s, end-to-end delivered/s and latency percentiles. Arguments go to bench/src/load.ts.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"
exec node --enable-source-maps bench/dist/src/load.js "$@"
