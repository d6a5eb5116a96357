#!/usr/bin/env bash
# Starts Kafka and PostgreSQL side by side, waits until both are ready, prints the connection settings.
# Idempotent: what already runs is left alone. Ports: KAFKA_PORT (19092), PG_PORT (15432).
set -euo pipefail
INFRA="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"

"$INFRA/postgres.sh" start &
pg=$!
{ "$INFRA/kafka.sh" start && "$INFRA/kafka.sh" wait; } &
kafka=$!

failed=()
wait "$pg" || failed+=(postgres)
wait "$kafka" || failed+=(kafka)
if [ "${#failed[@]}" -gt 0 ]; then
  echo "[up] ERROR: ${failed[*]} did not come up (see the messages above and .local/logs/)" >&2
  exit 1
fi
"$INFRA/postgres.sh" wait

# shellcheck source=env.sh
. "$INFRA/env.sh"
cat <<MSG
[up] ready. Connection settings (. scripts/infra/env.sh exports them):
KAFKA_BROKERS=$KAFKA_BROKERS
DATABASE_URL=$DATABASE_URL
MSG
