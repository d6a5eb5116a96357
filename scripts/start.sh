#!/usr/bin/env bash
# Starts the whole Poort chain on this machine: toolchain, Kafka, Postgres, migrations, test PKI, the eight
# services and two recipient simulators. Ctrl-C stops the services; scripts/infra/down.sh stops Kafka and Postgres.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"

echo "[start] migrating" >&2
pnpm run --silent migrate
exec node --enable-source-maps libs/testing/dist/src/run-chain.cli.js
