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

# Pid of the process listening on TCP port $1 (IPv4 or IPv6), from /proc. Fails when none is visible: nothing
# listens, or the listener belongs to another user and this script does not run as root.
port_pid() {
  local hex inode fd
  hex="$(printf '%04X' "$1")"
  while read -r inode; do
    fd="$(find /proc/[0-9]*/fd -maxdepth 1 -lname "socket:\[$inode\]" -print -quit 2>/dev/null || true)"
    [ -n "$fd" ] || continue
    fd="${fd#/proc/}"
    echo "${fd%%/*}"
    return 0
  done < <(awk -v p=":$hex" '$4 == "0A" && substr($2, length($2) - 4) == p { print $10 }' \
    /proc/net/tcp /proc/net/tcp6 2>/dev/null | sort -u)
  return 1
}

# Describes pid $1: HOLDER_CMD (its command line, cut short), HOLDER_USER, HOLDER_WHAT (PostgreSQL, Kafka or empty)
# and HOLDER_CHECKOUT (the Poort checkout whose scripts/infra started it, else empty). Poort's infra is recognised by
# its command line: 'postgres -D <checkout>/.local/postgres/data' (or a /var/tmp/poort-postgres-* cluster, which
# names its checkout in a file beside it) and 'kafka.Kafka <checkout>/.local/kafka/server.properties'.
describe_pid() {
  local cmd conf data
  cmd="$( { tr '\0' ' ' <"/proc/$1/cmdline"; } 2>/dev/null || true)"
  cmd="${cmd% }"
  HOLDER_USER="$(stat -c %U "/proc/$1" 2>/dev/null || echo '?')"
  HOLDER_WHAT=""
  HOLDER_CHECKOUT=""
  case "$cmd" in
    *" kafka.Kafka "*)
      HOLDER_WHAT=Kafka
      conf="${cmd##* kafka.Kafka }"
      conf="${conf%% *}"
      case "$conf" in */.local/kafka/server.properties) HOLDER_CHECKOUT="${conf%/.local/kafka/server.properties}" ;; esac
      cmd="${cmd%% *} ... kafka.Kafka $conf"
      ;;
    *postgres*" -D "*)
      HOLDER_WHAT=PostgreSQL
      data="${cmd##* -D }"
      data="${data%% *}"
      case "$data" in
        */.local/postgres/data) HOLDER_CHECKOUT="${data%/.local/postgres/data}" ;;
        */poort-postgres-*/data) HOLDER_CHECKOUT="$(cat "${data%/data}/checkout" 2>/dev/null || true)" ;;
      esac
      ;;
  esac
  [ -n "$HOLDER_CHECKOUT" ] && [ ! -f "$HOLDER_CHECKOUT/scripts/infra/down.sh" ] && HOLDER_CHECKOUT=""
  [ "${#cmd}" -le 200 ] || cmd="${cmd:0:200}..."
  HOLDER_CMD="${cmd:-?}"
}

# True when port $1 is free or held by this checkout's own Kafka or Postgres.
port_usable() {
  local pid
  port_open "$1" || return 0
  pid="$(port_pid "$1")" || return 1
  describe_pid "$pid"
  [ "$HOLDER_CHECKOUT" = "$ROOT" ]
}

# Prints 'PG_PORT=<p> KAFKA_PORT=<k>' for a pair of ports (p, k and k+1) that this checkout can use: the defaults
# shifted by 1000s, below the ephemeral port range.
suggest_ports() {
  local k pg kafka
  for k in 1 2 3 4 5 6 7 8 9 10 11 12 13; do
    pg=$((15432 + k * 1000))
    kafka=$((19092 + k * 1000))
    if port_usable "$pg" && port_usable "$kafka" && port_usable "$((kafka + 1))"; then
      echo "PG_PORT=$pg KAFKA_PORT=$kafka"
      return 0
    fi
  done
  return 1
}

# Dies explaining who holds port $1 (set by the variable $2) and what to do: stop another checkout's infra with
# its own down.sh, or run this checkout on other ports. POORT_CMD names the command the user ran (provision.sh).
die_port_taken() {
  local port=$1 var=$2 pid msg ports cmd="${POORT_CMD:-scripts/infra/up.sh}"
  msg="port $port on 127.0.0.1 ($var) is already in use"
  if pid="$(port_pid "$port")"; then
    describe_pid "$pid"
    msg+=" by pid $pid (user $HOLDER_USER): $HOLDER_CMD"
    if [ -n "$HOLDER_CHECKOUT" ] && [ "$HOLDER_CHECKOUT" != "$ROOT" ]; then
      msg+=$'\n'"  That is the $HOLDER_WHAT of another Poort checkout, $HOLDER_CHECKOUT. Either stop that checkout's"
      msg+=" Kafka and Postgres (their data is kept):"$'\n'"    $HOLDER_CHECKOUT/scripts/infra/down.sh"
      msg+=$'\n'"  or run this checkout ($ROOT) on other ports:"
    elif [ -n "$HOLDER_CHECKOUT" ]; then
      msg+=$'\n'"  That is this checkout's own $HOLDER_WHAT: give Postgres and Kafka ports that do not overlap:"
    else
      msg+=$'\n'"  That is not Poort's infra. Either stop that process, or run this checkout on other ports:"
    fi
  else
    msg+=" by a process this user cannot see (as root: ss -ltnp 'sport = :$port')."
    msg+=$'\n'"  Stop it, or run this checkout on other ports:"
  fi
  ports="$(suggest_ports)" || ports="PG_PORT=<free port> KAFKA_PORT=<free port, with the next one free too>"
  msg+=$'\n'"    $ports $cmd"
  msg+=$'\n'"  (PG_PORT is Postgres's port, KAFKA_PORT Kafka's, KAFKA_PORT+1 its controller's; keep them set for every"
  msg+=" later command in this checkout: scripts/start.sh, scripts/test.sh, scripts/infra/*.sh, . scripts/infra/env.sh)"
  die "$msg"
}

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
