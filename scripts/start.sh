#!/usr/bin/env bash
# Starts the whole Poort chain on this machine: toolchain, Kafka, Postgres, migrations, test PKI, the eight
# services and two recipient simulators. Ctrl-C stops the services; scripts/infra/down.sh stops Kafka and Postgres.
# Ports: PG_PORT (15432), KAFKA_PORT (19092); when one is taken (e.g. by another checkout's Kafka and Postgres),
# scripts/infra/ says by what, and gives the command that stops it or a free pair of ports for this checkout.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"

echo "[start] migrating" >&2
pnpm run --silent migrate
exec node --enable-source-maps libs/testing/dist/src/run-chain.cli.js
