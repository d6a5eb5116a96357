#!/usr/bin/env bash
# Sourced by start.sh, test.sh and bench.sh: the toolchain on PATH, Kafka and Postgres up, their settings in
# the environment, and the workspace built. Idempotent; each step is quick when already done.
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"
# The command the user ran, for the infra scripts' advice (e.g. 'PG_PORT=… KAFKA_PORT=… scripts/start.sh').
export POORT_CMD="scripts/${0##*/}"
source scripts/bootstrap.sh
scripts/infra/up.sh
source scripts/infra/env.sh
echo "[provision] building" >&2
pnpm run --silent build
