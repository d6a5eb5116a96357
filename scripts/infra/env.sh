#!/usr/bin/env bash
# Connection settings for the local infra started by up.sh.
#   . scripts/infra/env.sh          exports them into the current shell
#   eval "$(scripts/infra/env.sh)"  the same from any shell; run alone it prints the export lines
# No 'set -euo pipefail' here: this file is sourced, and must not change the options of the caller's shell.
KAFKA_PORT="${KAFKA_PORT:-19092}"
PG_PORT="${PG_PORT:-15432}"
export KAFKA_PORT PG_PORT
export KAFKA_BROKERS="127.0.0.1:$KAFKA_PORT"
export DATABASE_URL="postgres://poort@127.0.0.1:$PG_PORT/poort"

if [ -n "${BASH_VERSION:-}" ] && [ "${BASH_SOURCE[0]}" = "$0" ]; then
  printf 'export %s=%q\n' KAFKA_PORT "$KAFKA_PORT" PG_PORT "$PG_PORT" \
    KAFKA_BROKERS "$KAFKA_BROKERS" DATABASE_URL "$DATABASE_URL"
fi
