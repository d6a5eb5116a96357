#!/usr/bin/env bash
# Stops Kafka and PostgreSQL (data is kept; 'kafka.sh reset' / 'postgres.sh reset' wipe it).
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

"$INFRA/kafka.sh" stop &
kafka=$!
"$INFRA/postgres.sh" stop &
pg=$!
rc=0
wait "$kafka" || rc=1
wait "$pg" || rc=1
exit "$rc"
