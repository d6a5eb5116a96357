#!/usr/bin/env bash
# A private PostgreSQL cluster on 127.0.0.1 for development and tests (not Debian's system cluster).
#
#   scripts/infra/postgres.sh start   install Debian's postgresql if missing, initdb once, start, create
#                                     role and database 'poort'; returns when the server accepts connections
#   scripts/infra/postgres.sh wait    block until pg_isready succeeds (PG_WAIT_TIMEOUT s)
#   scripts/infra/postgres.sh status  exit 0 when running, 3 when stopped
#   scripts/infra/postgres.sh stop    fast shutdown
#   scripts/infra/postgres.sh reset   wipe the cluster (recreated, and restarted if it was running)
#
# Env: PG_PORT (15432), PG_STOP_MODE (fast; immediate = a crash, for fault tests), PG_MAX_CONNECTIONS (200), PG_WAIT_TIMEOUT (60), PG_BIN (newest
#      /usr/lib/postgresql/*/bin), POSTGRES_UNSAFE_NO_FSYNC (see below). Data: .local/postgres/data; socket:
#      .local/postgres/run; log: .local/logs/postgres.log. Auth: trust, on the loopback address and the private
#      socket only.
#      PG_POD_ADDRESS (unset), PG_POD_CIDR (PG_POD_ADDRESS's /24), PG_POORT_PASSWORD (unset).
# Pods of the local Kubernetes cluster (scripts/k8s/cluster.sh) reach PostgreSQL only when PG_POD_ADDRESS is set, e.g.
# to the pod gateway 10.244.0.1 (POD_GATEWAY_IP in scripts/k8s/env.sh): the server then also listens there (on
# PG_PORT), and clients from PG_POD_CIDR log in with a password (scram-sha-256). PG_POORT_PASSWORD sets the
# password of the role 'poort' on every start (it is kept until changed). The address must exist first
# (scripts/k8s/cluster.sh network); changing PG_POD_ADDRESS on a running server restarts it.
#
# Durable by default: fsync, full_page_writes and synchronous_commit are on, because Poort commits a Kafka offset
# once the transaction that applied the message has committed, so a committed transaction must survive a crash.
# POSTGRES_UNSAFE_NO_FSYNC=1 turns all three off for speed. UNSAFE: a crash of PostgreSQL or of the machine can
# then lose transactions that were already committed, i.e. acknowledged messages vanish; for throwaway data only.
# The settings are in .local/postgres/data/poort.conf, rewritten on every 'start': a 'start' while the server
# runs applies a changed choice to it (a reload; a restart only if a reload does not take), and after turning
# fsync back on it flushes what was written without fsync to disk (initdb --sync-only).
#
# A port already in use is reported with the process that holds it; when that is another checkout's Poort
# infra, with the command that stops it and a free PG_PORT/KAFKA_PORT pair for this checkout.
#
# As root the server runs as the OS user 'postgres' (PostgreSQL refuses to run as root), so that user
# must be able to reach .local/postgres. When the checkout sits below a directory it cannot enter (e.g.
# /root), the cluster lives in /var/tmp/poort-postgres-<hash of the checkout path> and .local/postgres
# is a symlink to it.
set -euo pipefail
TAG=postgres
# shellcheck source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

PG_MAX_CONNECTIONS="${PG_MAX_CONNECTIONS:-200}"
PG_WAIT_TIMEOUT="${PG_WAIT_TIMEOUT:-60}"
PG_POD_ADDRESS="${PG_POD_ADDRESS:-}"
PG_POD_CIDR="${PG_POD_CIDR:-${PG_POD_ADDRESS%.*}.0/24}"
case "${POSTGRES_UNSAFE_NO_FSYNC:-}" in
  1 | true | yes) UNSAFE=true ;;
  "" | 0 | false | no) UNSAFE=false ;;
  *) die "POSTGRES_UNSAFE_NO_FSYNC=$POSTGRES_UNSAFE_NO_FSYNC: use 1 (unsafe, fsync off) or leave it unset (durable)" ;;
esac
PG_DIR="$LOCAL_DIR/postgres"
# The server's user may not reach the checkout through the symlink (see above): use the real path.
[ -L "$PG_DIR" ] && PG_DIR="$(readlink -f "$PG_DIR")"
DATA="$PG_DIR/data"
PG_LOG="$LOG_DIR/postgres.log"
[ -L "$PG_LOG" ] && PG_LOG="$(readlink -f "$PG_LOG")"
ROOT_HASH="$(printf '%s' "$ROOT" | sha256sum | cut -c1-12)"

if [ "$(id -u)" = 0 ]; then
  PG_USER=postgres
  # From /: the caller's working directory may be closed to that user.
  as_pg() { (cd / && runuser -u postgres -- "$@"); }
else
  PG_USER="$(id -un)"
  as_pg() { "$@"; }
fi

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/pg_ctl" ] || die "PG_BIN=$PG_BIN has no pg_ctl"
    return 0
  fi
  local newest
  newest="$(find /usr/lib/postgresql -mindepth 3 -maxdepth 3 -path '*/bin/pg_ctl' 2>/dev/null | sort -V | tail -n 1 || true)"
  [ -n "$newest" ] && PG_BIN="${newest%/pg_ctl}"
}

ensure_installed() {
  find_bin && return 0
  local sudo=()
  if [ "$(id -u)" != 0 ]; then
    if ! command -v sudo >/dev/null || ! sudo -n true 2>/dev/null; then
      die "PostgreSQL server binaries not found (/usr/lib/postgresql/*/bin/pg_ctl) and not root (nor passwordless sudo): install Debian's 'postgresql' package, or set PG_BIN"
    fi
    sudo=(sudo -n)
  fi
  log "PostgreSQL server not found: installing Debian's postgresql package"
  mkdir -p "$LOG_DIR"
  if ! { "${sudo[@]}" apt-get update && DEBIAN_FRONTEND=noninteractive "${sudo[@]}" apt-get install -y --no-install-recommends postgresql; } \
      >"$LOG_DIR/postgres-install.log" 2>&1; then
    show_tail "$LOG_DIR/postgres-install.log"
    die "apt-get install postgresql failed (full output: $LOG_DIR/postgres-install.log)"
  fi
  find_bin || die "postgresql installed, but no /usr/lib/postgresql/*/bin/pg_ctl found"
}

# Makes $PG_DIR a directory the server's OS user owns and can reach (see the header).
ensure_dir() {
  mkdir -p "$LOCAL_DIR" "$LOG_DIR"
  if [ "$PG_USER" = postgres ]; then
    getent passwd postgres >/dev/null || die "OS user 'postgres' is missing (Debian's postgresql-common creates it)"
    if [ ! -e "$PG_DIR" ]; then
      mkdir -m 700 "$PG_DIR"
      chown postgres: "$PG_DIR"
    fi
    if ! as_pg test -w "$PG_DIR/." -a -x "$PG_DIR/."; then
      local alt="/var/tmp/poort-postgres-$ROOT_HASH"
      [ -L "$PG_DIR" ] || rmdir "$PG_DIR" 2>/dev/null ||
        die "user postgres cannot use $PG_DIR (a parent directory is closed to it) and it is not empty"
      log "user postgres cannot reach ${PG_DIR}: keeping the cluster in $alt (symlinked from .local/postgres)"
      mkdir -p "$alt"
      chmod 700 "$alt"
      chown postgres: "$alt"
      ln -sfn "$alt" "$PG_DIR"
      PG_DIR="$alt"
      DATA="$PG_DIR/data"
      as_pg test -w "$PG_DIR/." || die "user postgres cannot write to $alt"
    fi
    # Names the checkout, so that a port conflict can say whose cluster this is (_common.sh, describe_pid).
    case "$PG_DIR" in
      /var/tmp/poort-postgres-*) [ "$(cat "$PG_DIR/checkout" 2>/dev/null)" = "$ROOT" ] || echo "$ROOT" >"$PG_DIR/checkout" ;;
    esac
  else
    mkdir -p "$PG_DIR"
    chmod 700 "$PG_DIR"
  fi
  # The socket path must fit in 107 bytes; deep checkouts fall back to /tmp.
  SOCK_DIR="$PG_DIR/run"
  if [ $(( ${#SOCK_DIR} + 20 )) -gt 107 ]; then
    SOCK_DIR="/tmp/poort-pg-$ROOT_HASH"
  fi
  if [ "$PG_USER" = postgres ]; then
    [ -d "$SOCK_DIR" ] || { mkdir -p "$SOCK_DIR" && chown postgres: "$SOCK_DIR"; }
    chmod 700 "$SOCK_DIR"
    # The server writes its log itself, so the file must be the postgres user's; when that user cannot
    # reach .local/logs, the log lives beside the cluster with a symlink in .local/logs.
    [ -L "$PG_LOG" ] || { touch "$PG_LOG" && chown postgres: "$PG_LOG"; }
    if ! as_pg test -w "$PG_LOG"; then
      rm -f "$PG_LOG"
      as_pg touch "$PG_DIR/postgres.log"
      ln -s "$PG_DIR/postgres.log" "$PG_LOG"
      PG_LOG="$PG_DIR/postgres.log"
    fi
  else
    touch "$PG_LOG"
    mkdir -p "$SOCK_DIR"
    chmod 700 "$SOCK_DIR"
  fi
}

is_running() { [ -f "$DATA/PG_VERSION" ] && as_pg "$PG_BIN/pg_ctl" -D "$DATA" status >/dev/null 2>&1; }

init_cluster() {
  log "creating a cluster in ${DATA#"$ROOT"/} with $PG_BIN/initdb"
  rm -rf "$DATA"
  if ! as_pg "$PG_BIN/initdb" -D "$DATA" -U postgres -E UTF8 --no-locale --auth=trust \
      >"$LOG_DIR/postgres-initdb.log" 2>&1; then
    show_tail "$LOG_DIR/postgres-initdb.log"
    die "initdb failed"
  fi
  echo "include_if_exists = 'poort.conf'" | as_pg tee -a "$DATA/postgresql.conf" >/dev/null
}

# Rewritten on every start, like poort.conf. Sets HBA_CHANGED when the content changed.
write_hba() {
  local hba
  hba="# Generated by scripts/infra/postgres.sh on every start; edits are lost.
# No passwords on the private socket and loopback; with PG_POD_ADDRESS, a password for the local cluster's pods.
# TYPE  DATABASE     USER  ADDRESS        METHOD
local   all          all                  trust
host    all          all   127.0.0.1/32   trust
local   replication  all                  trust
host    replication  all   127.0.0.1/32   trust"
  [ -n "$PG_POD_ADDRESS" ] && hba+=$'\n'"host    all          all   $PG_POD_CIDR  scram-sha-256"
  HBA_CHANGED=false
  [ "$(as_pg cat "$DATA/pg_hba.conf" 2>/dev/null)" = "$hba" ] && return 0
  printf '%s\n' "$hba" | as_pg tee "$DATA/pg_hba.conf" >/dev/null
  HBA_CHANGED=true
}

# The addresses of poort.conf's listen_addresses.
listen_addresses() { echo "127.0.0.1${PG_POD_ADDRESS:+, $PG_POD_ADDRESS}"; }

# Makes the running server use the just rewritten listen_addresses (a restart) and pg_hba.conf (a reload).
apply_access() {
  if [ "$(psql_admin -c "SHOW listen_addresses")" != "$(listen_addresses)" ]; then
    log "listen_addresses changed to '$(listen_addresses)': restarting PostgreSQL"
    if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_LOG" -m fast -w -t "$PG_WAIT_TIMEOUT" restart >/dev/null 9>&-; then
      show_tail "$PG_LOG"
      die "PostgreSQL did not restart"
    fi
  elif $HBA_CHANGED; then
    psql_admin -c "SELECT pg_reload_conf()" >/dev/null
  fi
}

check_pod_address() {
  if [ -n "$PG_POD_ADDRESS" ] && [[ "$(ip -o -4 addr show)" != *" inet $PG_POD_ADDRESS/"* ]]; then
    die "PG_POD_ADDRESS=$PG_POD_ADDRESS is not an address of this host (the local cluster's pod gateway appears with 'scripts/k8s/cluster.sh network' or 'up')"
  fi
}

# Sent on stdin, so that the password shows in no process list.
set_password() {
  if [ -n "${PG_POORT_PASSWORD:-}" ]; then
    printf "ALTER ROLE poort PASSWORD '%s'\n" "${PG_POORT_PASSWORD//\'/\'\'}" | psql_admin >/dev/null
  elif [ -n "$PG_POD_ADDRESS" ]; then
    log "PG_POD_ADDRESS is set but PG_POORT_PASSWORD is not: pods can log in as 'poort' only if it has a password already"
  fi
}

# The three durability settings as pg_settings shows them (sorted by name), as this run wants them.
durability_wanted() {
  local v=on
  $UNSAFE && v=off
  echo "fsync=$v full_page_writes=$v synchronous_commit=$v"
}

# The same as the running server has them (a new session's view).
durability_running() {
  psql_admin -c "SELECT string_agg(name || '=' || setting, ' ' ORDER BY name) FROM pg_settings
    WHERE name IN ('fsync', 'full_page_writes', 'synchronous_commit')"
}

warn_if_unsafe() {
  $UNSAFE || return 0
  log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
  log "!!! POSTGRES_UNSAFE_NO_FSYNC=1: fsync, full_page_writes and synchronous_commit are OFF."
  log "!!! A crash of PostgreSQL or of the machine can lose transactions that were already committed, and"
  log "!!! Kafka offsets committed past them: acknowledged messages vanish. For throwaway test data only."
  log "!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!!"
}

# Rewritten on every start so PG_PORT, POSTGRES_UNSAFE_NO_FSYNC and friends can change between runs.
write_config() {
  local durability
  if $UNSAFE; then
    durability="# POSTGRES_UNSAFE_NO_FSYNC=1: UNSAFE, a crash can lose committed transactions.
fsync = off
synchronous_commit = off
full_page_writes = off"
  else
    durability="# Durable (the defaults, stated so that no other file overrides them): a committed transaction
# survives a crash. POSTGRES_UNSAFE_NO_FSYNC=1 turns these off.
fsync = on
synchronous_commit = on
full_page_writes = on"
  fi
  as_pg tee "$DATA/poort.conf" >/dev/null <<EOF
# Generated by scripts/infra/postgres.sh on every start; edits are lost.
listen_addresses = '$(listen_addresses)'
port = $PG_PORT
unix_socket_directories = '$SOCK_DIR'
max_connections = $PG_MAX_CONNECTIONS
$durability
# A minute of the bench at 150 messages/s writes more than the default 128MB holds: evicting dirty pages then put
# writes on the disk beside the WAL's, and commits waited behind them (iowait, receipts of 200-500 ms). 1GB, as
# k8s/postgres/cluster.yaml; this machine kind has 23 GiB.
shared_buffers = 1GB
# The outbox is a queue whose rows die within milliseconds (migration 0013): autovacuum looks every 10 s, not every
# minute, so that it never holds more than seconds of dead rows. Looking costs nearly nothing where nothing is due.
autovacuum_naptime = 10s
log_line_prefix = '%m [%p] %q%u@%d '
log_timezone = 'UTC'
timezone = 'UTC'
EOF
}

psql_admin() {
  as_pg "$PG_BIN/psql" -h "$SOCK_DIR" -p "$PG_PORT" -U postgres -d postgres -X -q -A -t -v ON_ERROR_STOP=1 "$@"
}

# Makes the running server use the durability settings of poort.conf (just rewritten): all three take a reload;
# should one ever need a restart, it gets one. After fsync was off (in the running server, or $1 = fsync-was-off:
# in the last run), what was written meanwhile may sit in the OS cache only: flush it all to disk.
apply_durability() {
  local want before have deadline
  want="$(durability_wanted)"
  have="$(durability_running)"
  before="$have ${1:-}"
  if [ "$have" != "$want" ]; then
    log "the running server has $have; poort.conf says $want: reloading its configuration"
    psql_admin -c "SELECT pg_reload_conf()" >/dev/null
    deadline=$((SECONDS + 10))
    until have="$(durability_running)"; [ "$have" = "$want" ] || [ "$SECONDS" -ge "$deadline" ]; do sleep 0.2; done
    if [ "$have" != "$want" ]; then
      log "a reload did not apply them (still $have): restarting PostgreSQL"
      if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_LOG" -m fast -w -t "$PG_WAIT_TIMEOUT" restart >/dev/null 9>&-; then
        show_tail "$PG_LOG"
        die "PostgreSQL did not restart"
      fi
      have="$(durability_running)"
      [ "$have" = "$want" ] ||
        die "PostgreSQL runs with $have after a restart, not $want: is one set in ${DATA#"$ROOT"/}/postgresql.auto.conf (ALTER SYSTEM)?"
    fi
    log "the running server now has $have"
  fi
  case "$before" in
    *fsync=off* | *fsync-was-off*)
      if ! $UNSAFE; then
        log "fsync was off: flushing the cluster's files to disk (initdb --sync-only)"
        as_pg "$PG_BIN/initdb" --sync-only -D "$DATA" >>"$LOG_DIR/postgres-initdb.log" 2>&1 9>&- ||
          die "initdb --sync-only failed (see $LOG_DIR/postgres-initdb.log)"
      fi
      ;;
  esac
}

ensure_role_and_db() {
  psql_admin -c "DO \$\$ BEGIN
      IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = 'poort') THEN CREATE ROLE poort LOGIN CREATEDB; END IF;
    END \$\$;" >/dev/null
  if [ "$(psql_admin -c "SELECT 1 FROM pg_database WHERE datname = 'poort'")" != 1 ]; then
    psql_admin -c "CREATE DATABASE poort OWNER poort" >/dev/null
    log "created role and database 'poort'"
  fi
}

cmd_start() {
  ensure_installed
  ensure_dir
  take_lock "$PG_DIR/.lock"
  warn_if_unsafe
  if is_running; then
    local running_port
    running_port="$(as_pg sed -n 4p "$DATA/postmaster.pid" 2>/dev/null || true)"
    if [ -n "$running_port" ] && [ "$running_port" != "$PG_PORT" ]; then
      die "this checkout's PostgreSQL already runs on port $running_port, not PG_PORT=$PG_PORT: run with PG_PORT=$running_port, or stop it first ('$0 stop' or scripts/infra/down.sh; its data is kept)"
    fi
    check_pod_address
    write_config
    write_hba
    # A rewritten poort.conf applies now: what a reload applies (autovacuum_naptime, say) at once, and a restart when
    # a setting needs one (shared_buffers).
    psql_admin -c "SELECT pg_reload_conf()" >/dev/null
    sleep 0.5
    if [ "$(psql_admin -c "SELECT count(*) FROM pg_settings WHERE pending_restart")" != 0 ]; then
      log "poort.conf changed a setting that takes a restart: restarting PostgreSQL"
      if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_LOG" -m fast -w -t "$PG_WAIT_TIMEOUT" restart >/dev/null 9>&-; then
        show_tail "$PG_LOG"
        die "PostgreSQL did not restart"
      fi
    fi
    apply_durability
    apply_access
    set_password
    log "already running on 127.0.0.1:$PG_PORT ($(as_pg head -n 1 "$DATA/postmaster.pid" 2>/dev/null || echo '?'))"
    return 0
  fi
  port_open "$PG_PORT" && die_port_taken "$PG_PORT" PG_PORT
  warn_if_ephemeral "$PG_PORT"
  [ -f "$DATA/PG_VERSION" ] || init_cluster
  local data_version bin_version
  data_version="$(cat "$DATA/PG_VERSION")"
  bin_version="$("$PG_BIN/pg_ctl" --version | awk '{print $3}' | cut -d. -f1)"
  [ "$data_version" = "$bin_version" ] ||
    die "${DATA#"$ROOT"/} holds a PostgreSQL $data_version cluster but $PG_BIN is $bin_version: run '$0 reset'"
  local before=""
  as_pg grep -qs '^fsync = off' "$DATA/poort.conf" && before=fsync-was-off
  check_pod_address
  write_config
  write_hba
  printf '\n===== %s starting PostgreSQL %s =====\n' "$(date -Is)" "$bin_version" >>"$PG_LOG"
  if ! as_pg "$PG_BIN/pg_ctl" -D "$DATA" -l "$PG_LOG" -w -t "$PG_WAIT_TIMEOUT" start >/dev/null 9>&-; then
    show_tail "$PG_LOG"
    die "PostgreSQL did not start"
  fi
  ensure_role_and_db
  set_password
  # Checks what the server actually runs with (and flushes to disk if the last run had fsync off).
  apply_durability "$before"
  log "started PostgreSQL $bin_version on $(listen_addresses):$PG_PORT (socket $SOCK_DIR), $(durability_running)"
}

cmd_wait() {
  find_bin || die "PostgreSQL is not installed: run '$0 start'"
  local deadline=$((SECONDS + PG_WAIT_TIMEOUT))
  until "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -U poort -d poort -t 2; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_tail "$PG_LOG"
      die "PostgreSQL on 127.0.0.1:$PG_PORT is not ready after ${PG_WAIT_TIMEOUT}s ('$0 status', '$0 start')"
    fi
    sleep 0.2
  done
  log "ready at 127.0.0.1:$PG_PORT"
}

cmd_stop() {
  if ! find_bin || [ ! -d "$PG_DIR" ]; then
    log "not running"
    return 0
  fi
  take_lock "$PG_DIR/.lock"
  if ! is_running; then
    log "not running"
    return 0
  fi
  # PG_STOP_MODE=immediate is a crash, for the fault tests: no checkpoint, recovery from the WAL at the next start.
  local mode="${PG_STOP_MODE:-fast}"
  case "$mode" in fast | smart | immediate) ;; *) die "PG_STOP_MODE must be fast, smart or immediate, not '$mode'" ;; esac
  as_pg "$PG_BIN/pg_ctl" -D "$DATA" -m "$mode" -w -t 60 stop >/dev/null
  log "stopped ($mode)"
}

cmd_status() {
  if find_bin && [ -d "$PG_DIR" ] && is_running; then
    if "$PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$PG_PORT" -t 2; then
      echo "postgres: running ($(as_pg head -n 1 "$DATA/postmaster.pid")), PostgreSQL $(cat "$DATA/PG_VERSION"), 127.0.0.1:$PG_PORT, data ${DATA#"$ROOT"/}"
    else
      echo "postgres: running but not accepting connections on 127.0.0.1:$PG_PORT"
    fi
    return 0
  fi
  echo "postgres: stopped"
  return 3
}

cmd_reset() {
  local was_running=false
  find_bin && [ -d "$PG_DIR" ] && is_running && was_running=true
  cmd_stop
  log "wiping ${DATA#"$ROOT"/}"
  rm -rf "$DATA"
  exec 9>&-
  if $was_running; then
    cmd_start
  fi
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  wait) cmd_wait ;;
  reset) cmd_reset ;;
  *) echo "usage: $0 {start|stop|status|wait|reset}" >&2; exit 2 ;;
esac
