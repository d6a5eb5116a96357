# shellcheck shell=bash disable=SC2034 # variables used by the scripts that source this
# Shared by the scripts in scripts/infra/ (sourced, not run). The caller sets TAG before sourcing.
INFRA_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$INFRA_DIR/../.." && pwd)"
LOCAL_DIR="$ROOT/.local"
CACHE_DIR="$ROOT/.cache"
LOG_DIR="$LOCAL_DIR/logs"

KAFKA_PORT="${KAFKA_PORT:-19092}"
PG_PORT="${PG_PORT:-15432}"

log() { printf '[%s] %s\n' "${TAG:-infra}" "$*" >&2; }
die() { printf '[%s] ERROR: %s\n' "${TAG:-infra}" "$*" >&2; exit 1; }

# True when something accepts TCP connections on 127.0.0.1:$1.
port_open() { timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# A listening port inside the kernel's ephemeral range can be taken at random by any outgoing connection.
warn_if_ephemeral() {
  local lo hi
  read -r lo hi </proc/sys/net/ipv4/ip_local_port_range 2>/dev/null || return 0
  if [ "$1" -ge "$lo" ] && [ "$1" -le "$hi" ]; then
    log "warning: port $1 lies in the ephemeral port range $lo-$hi; starting may fail at random with 'address in use'"
  fi
}

# Prints the last lines of the given files that exist, for error messages.
show_tail() {
  local f
  for f in "$@"; do
    [ -s "$f" ] || continue
    printf -- '----- last lines of %s -----\n' "$f" >&2
    tail -n 40 "$f" >&2
    printf -- '-----\n' >&2
  done
}

# Serializes start/stop/reset of one service: a second caller waits for the first.
# $1: lock file. Child processes must be started with 9>&- so they don't inherit the lock.
take_lock() {
  exec 9>"$1"
  flock 9
}
