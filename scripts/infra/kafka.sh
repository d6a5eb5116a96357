#!/usr/bin/env bash
# Single-node Apache Kafka (KRaft, broker + controller in one JVM) on 127.0.0.1 for development and tests.
#
#   scripts/infra/kafka.sh start   fetch the jars if needed, format storage once, start in the background
#   scripts/infra/kafka.sh wait    block until the broker answers metadata calls (KAFKA_WAIT_TIMEOUT s)
#   scripts/infra/kafka.sh status  exit 0 when running, 3 when stopped
#   scripts/infra/kafka.sh stop    controlled shutdown (SIGKILL after KAFKA_STOP_TIMEOUT s)
#   scripts/infra/kafka.sh reset   wipe topics and offsets (restarts the broker if it was running)
#
# Env: KAFKA_PORT (19092), KAFKA_STOP_SIGNAL (TERM; KILL = a crash, for fault tests), KAFKA_CONTROLLER_PORT (KAFKA_PORT+1), KAFKA_VERSION, KAFKA_HEAP_OPTS,
#      KAFKA_WAIT_TIMEOUT (90), KAFKA_STOP_TIMEOUT (30), JAVA_HOME (else java on PATH, >= 17),
#      KAFKA_POD_ADDRESS (unset), KAFKA_POD_PORT (KAFKA_PORT+2).
# Pods of the local Kubernetes cluster (scripts/k8s/cluster.sh) reach Kafka only when KAFKA_POD_ADDRESS is set, e.g.
# to the pod gateway 10.244.0.1 (POD_GATEWAY_IP in scripts/k8s/env.sh): a second listener, PODS, then binds and
# advertises KAFKA_POD_ADDRESS:KAFKA_POD_PORT (the address must exist first: scripts/k8s/cluster.sh network).
# Jars: .cache/kafka/<version>/libs (Maven Central, via kafka/pom.xml). Data: .local/kafka/.
# Logs: .local/logs/kafka.log (broker), .local/logs/kafka.out (JVM stdout/stderr).
# A port already in use is reported with the process that holds it; when that is another checkout's Poort
# infra, with the command that stops it and a free PG_PORT/KAFKA_PORT pair for this checkout.
#
# VERSION: Kafka 4.4.0, the newest on Maven Central in November 2026. Kafka 4 dropped old protocol versions
# (KIP-896), and the project's client, kafkajs 2.2.4, is unmaintained, so it was checked against 4.4.0 (Node 24):
# admin createTopics/fetchTopicMetadata/describeConfigs/alterConfigs/fetchOffsets/setOffsets/describeGroups/
# listGroups/deleteGroups/createPartitions/deleteTopicRecords/deleteTopics, an idempotent producer (acks -1,
# headers, gzip), a transactional producer, a consumer group with eachBatch, autoCommit false and manual
# commitOffsets, a second member joining and leaving (rebalances) and read_committed consumption: all pass,
# as on 3.9.2. Every API kafkajs implements still has an overlapping version on 4.4.0 (kafkajs asks for
# e.g. Produce v7, Fetch v11, ListOffsets v3, OffsetCommit v5, all above the new minimums).
# KAFKA_VERSION=3.9.2 is the fallback should a newer kafkajs code path hit a removed version.
set -euo pipefail
TAG=kafka
# shellcheck source=_common.sh
. "$(dirname "${BASH_SOURCE[0]}")/_common.sh"

KAFKA_VERSION="${KAFKA_VERSION:-4.4.0}"
KAFKA_CONTROLLER_PORT="${KAFKA_CONTROLLER_PORT:-$((KAFKA_PORT + 1))}"
KAFKA_HEAP_OPTS="${KAFKA_HEAP_OPTS:--Xms256m -Xmx512m}"
KAFKA_WAIT_TIMEOUT="${KAFKA_WAIT_TIMEOUT:-90}"
KAFKA_STOP_TIMEOUT="${KAFKA_STOP_TIMEOUT:-30}"
KAFKA_POD_ADDRESS="${KAFKA_POD_ADDRESS:-}"
KAFKA_POD_PORT="${KAFKA_POD_PORT:-$((KAFKA_PORT + 2))}"

POM="$INFRA_DIR/kafka/pom.xml"
PROBE_SRC="$INFRA_DIR/kafka/KafkaReady.java"
LOG4J_CONF="$INFRA_DIR/kafka/log4j2.properties"
DIST="$CACHE_DIR/kafka/$KAFKA_VERSION"
LIBS="$DIST/libs"
PROBE_DIR="$DIST/probe"
STATE="$LOCAL_DIR/kafka"
DATA="$STATE/data"
CONF="$STATE/server.properties"
PIDFILE="$STATE/kafka.pid"
BROKER_LOG="$LOG_DIR/kafka.log"
CONSOLE_LOG="$LOG_DIR/kafka.out"

java_tools() {
  if [ -n "${JAVA_HOME:-}" ]; then
    JAVA="$JAVA_HOME/bin/java"
    JAVAC="$JAVA_HOME/bin/javac"
  else
    JAVA="$(command -v java || true)"
    JAVAC="$(command -v javac || true)"
  fi
  [ -x "$JAVA" ] || die "java not found (set JAVA_HOME or install a JDK >= 17, e.g. Debian's openjdk-17-jdk-headless)"
  [ -x "$JAVAC" ] || die "javac not found next to $JAVA: a full JDK >= 17 is needed, not only a JRE (Debian: openjdk-17-jdk-headless)"
  local major
  major="$("$JAVA" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.specification.version = //p')"
  [ "${major%%.*}" -ge 17 ] 2>/dev/null || die "$JAVA is Java ${major:-?}; the Kafka $KAFKA_VERSION broker needs Java >= 17"
}

# Jars are keyed by version and by the pom's content, so editing the pom refetches.
ensure_dist() {
  local pom_sum
  pom_sum="$(sha256sum "$POM" | cut -d' ' -f1)"
  if [ ! -d "$LIBS" ] || [ "$(cat "$DIST/pom.sha256" 2>/dev/null)" != "$pom_sum" ]; then
    command -v mvn >/dev/null || die "mvn not found: it fetches the Kafka jars from Maven Central (Debian: apt-get install maven)"
    log "fetching org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies from Maven Central"
    mkdir -p "$DIST"
    rm -rf "$LIBS.tmp"
    if ! mvn -q -B -Dstyle.color=never -f "$POM" -Dkafka.version="$KAFKA_VERSION" \
        dependency:copy-dependencies -DoutputDirectory="$LIBS.tmp" >"$DIST/mvn.log" 2>&1; then
      show_tail "$DIST/mvn.log"
      die "mvn could not fetch Kafka $KAFKA_VERSION from Maven Central (full output: $DIST/mvn.log)"
    fi
    rm -rf "$LIBS" "$PROBE_DIR"
    mv "$LIBS.tmp" "$LIBS"
    echo "$pom_sum" >"$DIST/pom.sha256"
  fi
  if [ ! -f "$PROBE_DIR/KafkaReady.class" ] || [ "$PROBE_SRC" -nt "$PROBE_DIR/KafkaReady.class" ]; then
    rm -rf "$PROBE_DIR.tmp"
    "$JAVAC" -nowarn -d "$PROBE_DIR.tmp" -cp "$LIBS/*" "$PROBE_SRC" || die "could not compile $PROBE_SRC"
    rm -rf "$PROBE_DIR"
    mv "$PROBE_DIR.tmp" "$PROBE_DIR"
  fi
}

# Pid of our broker: from the pid file, or (if the pid file was lost) the JVM running our config file.
broker_pid() {
  local f cmd
  for f in "/proc/$(cat "$PIDFILE" 2>/dev/null)/cmdline" SCAN; do
    if [ "$f" = SCAN ]; then
      f="$(grep -lsaF -- "$CONF" /proc/[0-9]*/cmdline | head -n 1 || true)"
      [ -n "$f" ] || return 1
    fi
    cmd="$( { tr '\0' ' ' <"$f"; } 2>/dev/null || true)"
    case "$cmd" in *"kafka.Kafka $CONF"*) f="${f#/proc/}"; echo "${f%/cmdline}"; return 0 ;; esac
  done
  return 1
}

write_config() {
  mkdir -p "$STATE" "$DATA" "$LOG_DIR"
  local pods="" pods_advertised="" pods_protocol=""
  if [ -n "$KAFKA_POD_ADDRESS" ]; then
    pods=",PODS://$KAFKA_POD_ADDRESS:$KAFKA_POD_PORT"
    pods_advertised="$pods"
    pods_protocol=",PODS:PLAINTEXT"
  fi
  # A static voter set (controller.quorum.voters) rather than --standalone: nothing about the ports is
  # stored in the metadata log, so KAFKA_PORT/KAFKA_CONTROLLER_PORT can change between runs.
  cat >"$CONF" <<EOF
# Generated by scripts/infra/kafka.sh on every start; edits are lost.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$KAFKA_CONTROLLER_PORT
listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT,CONTROLLER://127.0.0.1:$KAFKA_CONTROLLER_PORT$pods
advertised.listeners=PLAINTEXT://127.0.0.1:$KAFKA_PORT$pods_advertised
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
listener.security.protocol.map=CONTROLLER:PLAINTEXT,PLAINTEXT:PLAINTEXT$pods_protocol
log.dirs=$DATA

auto.create.topics.enable=false
num.partitions=3
default.replication.factor=1
min.insync.replicas=1
offsets.topic.replication.factor=1
offsets.topic.num.partitions=10
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=10
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
group.initial.rebalance.delay.ms=0

# 2-core test box.
num.network.threads=2
num.io.threads=4
num.recovery.threads.per.data.dir=2
EOF
}

format_storage() {
  local cluster_id
  # A Kafka Uuid: 16 random bytes, URL-safe base64 without padding (saves a JVM start for random-uuid).
  cluster_id="$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=')"
  log "formatting storage in ${DATA#"$ROOT"/} (cluster id $cluster_id)"
  if ! "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -Dkafka.logs.dir="$LOG_DIR" \
      -Dlog4j2.configurationFile="$LOG4J_CONF" -cp "$LIBS/*" \
      kafka.tools.StorageTool format --cluster-id="$cluster_id" -c "$CONF" >"$LOG_DIR/kafka-format.out" 2>&1; then
    show_tail "$LOG_DIR/kafka-format.out"
    die "formatting Kafka storage failed"
  fi
  echo "$KAFKA_VERSION" >"$STATE/version"
}

cmd_start() {
  mkdir -p "$STATE" "$LOG_DIR"
  take_lock "$STATE/.lock"
  local pid
  if pid="$(broker_pid)"; then
    local running_port
    running_port="$(sed -n 's/^listeners=PLAINTEXT:\/\/127\.0\.0\.1:\([0-9]*\),.*/\1/p' "$CONF" 2>/dev/null || true)"
    if [ -n "$running_port" ] && [ "$running_port" != "$KAFKA_PORT" ]; then
      die "this checkout's Kafka already runs (pid $pid) on port $running_port, not KAFKA_PORT=$KAFKA_PORT: run with KAFKA_PORT=$running_port, or stop it first ('$0 stop' or scripts/infra/down.sh; its data is kept)"
    fi
    local running_pods
    running_pods="$(sed -n 's/^listeners=.*,PODS:\/\/\(.*\)$/\1/p' "$CONF" 2>/dev/null || true)"
    # Unset means 'no need', not 'none': loopback clients do not mind a pods' listener beside theirs.
    if [ -n "$KAFKA_POD_ADDRESS" ] && [ "$running_pods" != "$KAFKA_POD_ADDRESS:$KAFKA_POD_PORT" ]; then
      die "this checkout's Kafka already runs (pid $pid) with the pods' listener at '${running_pods:-none}', not KAFKA_POD_ADDRESS:KAFKA_POD_PORT='$KAFKA_POD_ADDRESS:$KAFKA_POD_PORT': stop it first ('$0 stop'; its data is kept)"
    fi
    log "already running (pid $pid) on 127.0.0.1:$KAFKA_PORT"
    echo "$pid" >"$PIDFILE"
    return 0
  fi
  port_open "$KAFKA_PORT" && die_port_taken "$KAFKA_PORT" KAFKA_PORT
  port_open "$KAFKA_CONTROLLER_PORT" && die_port_taken "$KAFKA_CONTROLLER_PORT" "KAFKA_CONTROLLER_PORT, by default KAFKA_PORT+1"
  if [ -n "$KAFKA_POD_ADDRESS" ] && [[ "$(ip -o -4 addr show)" != *" inet $KAFKA_POD_ADDRESS/"* ]]; then
    die "KAFKA_POD_ADDRESS=$KAFKA_POD_ADDRESS is not an address of this host (the local cluster's pod gateway appears with 'scripts/k8s/cluster.sh network' or 'up')"
  fi
  warn_if_ephemeral "$KAFKA_PORT"
  warn_if_ephemeral "$KAFKA_CONTROLLER_PORT"
  if [ -f "$DATA/meta.properties" ]; then
    local formatted_by
    formatted_by="$(cat "$STATE/version" 2>/dev/null || echo unknown)"
    [ "$formatted_by" = "$KAFKA_VERSION" ] ||
      die "the data in ${DATA#"$ROOT"/} was written by Kafka $formatted_by, not $KAFKA_VERSION: run '$0 reset' to wipe it"
  fi
  java_tools
  ensure_dist
  if [ -f "$DATA/meta.properties" ]; then
    write_config
  else
    rm -rf "$DATA"
    write_config
    format_storage
  fi
  printf '\n===== %s starting Kafka %s =====\n' "$(date -Is)" "$KAFKA_VERSION" >>"$CONSOLE_LOG"
  # setsid: the broker must outlive this script and not get the terminal's Ctrl-C or a test runner's
  # process-group kill. 9>&-: don't pass the lock on.
  # shellcheck disable=SC2086 # KAFKA_HEAP_OPTS is a list of JVM options
  (cd "$STATE" && exec setsid "$JAVA" $KAFKA_HEAP_OPTS \
    -XX:+UseG1GC -XX:MaxGCPauseMillis=20 -XX:InitiatingHeapOccupancyPercent=35 \
    -XX:+ExplicitGCInvokesConcurrent -XX:+ExitOnOutOfMemoryError -Djava.awt.headless=true \
    -Dkafka.logs.dir="$LOG_DIR" -Dlog4j2.configurationFile="$LOG4J_CONF" \
    -cp "$LIBS/*" kafka.Kafka "$CONF" </dev/null >>"$CONSOLE_LOG" 2>&1 9>&-) &
  echo $! >"$PIDFILE"
  log "started Kafka $KAFKA_VERSION (pid $!) on 127.0.0.1:$KAFKA_PORT (controller :$KAFKA_CONTROLLER_PORT${KAFKA_POD_ADDRESS:+, pods: $KAFKA_POD_ADDRESS:$KAFKA_POD_PORT}); '$0 wait' blocks until ready"
}

# The probe (a real AdminClient) starts at once, so its JVM warms up while the broker does; meanwhile
# this loop notices a broker that dies during startup.
cmd_wait() {
  broker_pid >/dev/null || [ -f "$PIDFILE" ] || die "Kafka is not running: '$0 start' first"
  java_tools
  ensure_dist
  local out probe rc=0
  out="$(mktemp)"
  "$JAVA" -Xshare:auto -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Dlog4j2.level=OFF \
    -cp "$PROBE_DIR:$LIBS/*" KafkaReady "127.0.0.1:$KAFKA_PORT" "$KAFKA_WAIT_TIMEOUT" >"$out" 2>&1 9>&- &
  probe=$!
  while kill -0 "$probe" 2>/dev/null; do
    if ! broker_pid >/dev/null; then
      kill "$probe" 2>/dev/null || true
      rm -f "$out"
      show_tail "$BROKER_LOG" "$CONSOLE_LOG"
      die "the Kafka broker exited during startup (see the log lines above)"
    fi
    sleep 0.2
  done
  wait "$probe" || rc=$?
  local result
  result="$(cat "$out")"
  rm -f "$out"
  if [ "$rc" != 0 ]; then
    show_tail "$BROKER_LOG" "$CONSOLE_LOG"
    die "Kafka on 127.0.0.1:$KAFKA_PORT is not ready after ${KAFKA_WAIT_TIMEOUT}s: $result"
  fi
  log "$result, at 127.0.0.1:$KAFKA_PORT"
}

cmd_stop() {
  mkdir -p "$STATE"
  take_lock "$STATE/.lock"
  local pid
  if ! pid="$(broker_pid)"; then
    rm -f "$PIDFILE"
    log "not running"
    return 0
  fi
  if [ "${KAFKA_STOP_SIGNAL:-TERM}" = KILL ]; then
    # A crash, for the fault tests: no controlled shutdown, nothing flushed.
    log "killing (pid $pid, SIGKILL)"
    kill -KILL "$pid" 2>/dev/null || true
  else
    log "stopping (pid $pid)"
    kill -TERM "$pid" 2>/dev/null || true
  fi
  local deadline=$((SECONDS + KAFKA_STOP_TIMEOUT))
  while kill -0 "$pid" 2>/dev/null; do
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "no clean shutdown within ${KAFKA_STOP_TIMEOUT}s: killing pid $pid"
      kill -KILL "$pid" 2>/dev/null || true
      break
    fi
    sleep 0.2
  done
  while kill -0 "$pid" 2>/dev/null; do sleep 0.1; done
  rm -f "$PIDFILE"
  log "stopped"
}

cmd_status() {
  local pid
  if pid="$(broker_pid)"; then
    if port_open "$KAFKA_PORT"; then
      echo "kafka: running (pid $pid), Kafka $(cat "$STATE/version" 2>/dev/null || echo '?'), 127.0.0.1:$KAFKA_PORT, data ${DATA#"$ROOT"/}"
    else
      echo "kafka: starting (pid $pid), 127.0.0.1:$KAFKA_PORT not open yet"
    fi
    return 0
  fi
  echo "kafka: stopped"
  return 3
}

cmd_reset() {
  local was_running=false
  broker_pid >/dev/null && was_running=true
  cmd_stop
  log "wiping ${STATE#"$ROOT"/} (topics, offsets, cluster id)"
  rm -rf "$DATA" "$STATE/version" "$CONF"
  exec 9>&-
  if $was_running; then
    cmd_start
    cmd_wait
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
