#!/usr/bin/env bash
# The Grote Berichten end-to-end test (e2e/test/grote-berichten.e2e.test.ts) with a file of the size given:
#   scripts/grote-berichten-run.sh 1g      (or 200m, 512m, a number of bytes)
# It provisions as scripts/test.sh does (toolchain, Kafka, Postgres, build) and prints the upload, chain and fetch
# times and every service's peak RSS, which the test holds below 256 MB. The test needs about twice the file's size
# free on disk (the file itself, and Postgres's copy).
set -euo pipefail
size="${1:-1g}"
case "$size" in
  *[gG]) bytes=$(( ${size%[gG]} * 1024 * 1024 * 1024 )) ;;
  *[mM]) bytes=$(( ${size%[mM]} * 1024 * 1024 )) ;;
  *[!0-9]*|'') echo "usage: $0 <size: 1g, 200m or bytes>" >&2; exit 2 ;;
  *) bytes=$size ;;
esac
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"
export POORT_ROOT="$ROOT" POORT_GROTE_BERICHTEN_BYTES="$bytes"
exec node --enable-source-maps --test --test-reporter=spec --test-timeout=3600000 e2e/dist/test/grote-berichten.e2e.test.js
