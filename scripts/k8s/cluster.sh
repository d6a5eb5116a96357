#!/usr/bin/env bash
# A real single-node Kubernetes cluster on this machine, for the deployment tests.
#
#   scripts/k8s/cluster.sh up       install the tools if needed (cluster-tools.sh), start etcd, the control plane,
#                                   containerd, the kubelet, kube-proxy and CoreDNS; returns when the node is
#                                   Ready and cluster DNS answers. Idempotent: what already runs is left alone.
#   scripts/k8s/cluster.sh down     stop everything, remove pods, containers, mounts, the pod bridge and the
#                                   iptables chains the cluster made; forget the cluster's objects (etcd).
#                                   Imported images and the credentials are kept for the next 'up'.
#   scripts/k8s/cluster.sh status   exit 0 when up, 3 when not
#   scripts/k8s/cluster.sh network  only create the pod bridge with the gateway address (up does it too), so that
#                                   host services can bind $POD_GATEWAY_IP before the cluster starts
#
# The node is named 'localhost'; pods get addresses in 10.244.0.0/24 on the bridge poort-br0, whose address
# 10.244.0.1 is the host as pods see it. Services: 10.96.0.0/16; cluster DNS 10.96.0.10 (CoreDNS runs on the host
# behind the kube-dns Service); domain cluster.local. Nothing is pulled: import images with
# 'ctr --address $CONTAINERD_ADDRESS -n k8s.io images import' and use imagePullPolicy: Never.
# '. scripts/k8s/env.sh' sets PATH, KUBECONFIG, CONTAINERD_ADDRESS and POD_GATEWAY_IP.
#
# Env: KUBE_API_PORT (16443), ETCD_PORT (12379; the peer port is the next one), KUBE_UP_TIMEOUT (180 s),
#      KUBECTL (.cache/k8s/bin/kubectl, from scripts/k8s/static-tools.sh). Needs root.
# State: .local/k8s/ (admin kubeconfig .local/k8s/kubeconfig, logs .local/k8s/logs/<component>.log).
# Other ports, on 127.0.0.1: kubelet 10250 (healthz 10248), kube-proxy 10249/10256, controller-manager 10257,
# scheduler 10259, CoreDNS readiness 18181; CoreDNS serves on 10.244.0.1:53.
set -euo pipefail
# shellcheck source=cluster/lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/cluster/lib.sh"
# shellcheck source=cluster/pki.sh
. "$CLUSTER_FILES/pki.sh"
# shellcheck source=cluster/teardown.sh
. "$CLUSTER_FILES/teardown.sh"

KUBE_API_PORT="${KUBE_API_PORT:-16443}"
ETCD_PORT="${ETCD_PORT:-12379}"
ETCD_PEER_PORT=$((ETCD_PORT + 1))
KUBE_UP_TIMEOUT="${KUBE_UP_TIMEOUT:-180}"
KUBECTL="${KUBECTL:-$K8S_BIN/kubectl}"
COREDNS_READY_PORT=18181
POD_CIDR=10.244.0.0/24
POD_GATEWAY_IP=10.244.0.1
BRIDGE=poort-br0
SERVICE_CIDR=10.96.0.0/16
KUBERNETES_SERVICE_IP=10.96.0.1
DNS_IP=10.96.0.10

PKI="$K8S_LOCAL/pki"
CONF="$K8S_LOCAL/config"
LOGS="$K8S_LOCAL/logs"
RUN="$K8S_LOCAL/run"
ADMIN_KUBECONFIG="$K8S_LOCAL/kubeconfig"
CONTAINERD_SOCK="$K8S_LOCAL/containerd/containerd.sock"
# The components, in the order they start.
COMPONENTS=(etcd kube-apiserver kube-controller-manager kube-scheduler containerd kubelet kube-proxy coredns)

# Pid of our running component $1: from its pid file, checked against its command line (all name .local/k8s).
pid_of() {
  local pid
  pid="$(cat "$RUN/$1.pid" 2>/dev/null)" || return 1
  [ -n "$pid" ] && grep -qsaF -- "$K8S_LOCAL/" "/proc/$pid/cmdline" || return 1
  echo "$pid"
}

# start <component> <command...>: in the background, in its own session, logging to .local/k8s/logs/.
start() {
  local name=$1
  shift
  pid_of "$name" >/dev/null && return 0
  printf '\n===== %s starting %s =====\n' "$(date -Is)" "$name" >>"$LOGS/$name.log"
  setsid "$@" </dev/null >>"$LOGS/$name.log" 2>&1 9>&- &
  echo $! >"$RUN/$name.pid"
}

# wait_for <component> <what> <command...>: until the command succeeds; fails early when the component exits.
wait_for() {
  local name=$1 what=$2 deadline=$((SECONDS + KUBE_UP_TIMEOUT))
  shift 2
  until "$@" >/dev/null 2>&1; do
    if ! pid_of "$name" >/dev/null; then
      show_tail "$LOGS/$name.log"
      die "$name exited while waiting for $what (log: ${LOGS#"$ROOT"/}/$name.log)"
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      show_tail "$LOGS/$name.log"
      die "no $what after ${KUBE_UP_TIMEOUT}s (log: ${LOGS#"$ROOT"/}/$name.log)"
    fi
    sleep 0.3
  done
}

# stop [--kill] <component>...: all at once (SIGTERM, SIGKILL after 15 s; or SIGKILL at once).
stop() {
  local name pid pids=() deadline=$((SECONDS + 15)) signal=TERM
  [ "$1" = --kill ] && signal=KILL && shift
  for name in "$@"; do
    pid="$(pid_of "$name")" && pids+=("$pid") && kill -"$signal" "$pid" 2>/dev/null
    rm -f "$RUN/$name.pid"
  done
  for pid in "${pids[@]}"; do
    while kill -0 "$pid" 2>/dev/null; do
      if [ "$SECONDS" -ge "$deadline" ]; then
        log "pid $pid ($(tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | cut -c1-60)) did not stop within 15s: killing it"
        kill -KILL "$pid" 2>/dev/null || true
      fi
      sleep 0.1
    done
  done
}

kubectl_admin() { "$KUBECTL" --kubeconfig "$ADMIN_KUBECONFIG" "$@"; }

ctr_k8s() { ctr --address "$CONTAINERD_SOCK" --namespace k8s.io "$@"; }

port_free() { ! timeout 2 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1" 2>/dev/null; }

# render <template> <output>: fills in the @NAME@ placeholders of a file in scripts/k8s/cluster/.
render() {
  local var args=()
  for var in K8S_LOCAL PKI CONTAINERD_SOCK PAUSE_IMAGE BRIDGE POD_CIDR POD_GATEWAY_IP DNS_IP COREDNS_READY_PORT; do
    args+=(-e "s|@$var@|${!var}|g")
  done
  sed "${args[@]}" "$CLUSTER_FILES/$1" | write_if_changed "$2"
}

ensure_network() {
  sysctl -qw net.ipv4.ip_forward=1
  # Pod -> Service -> pod on the same bridge must pass through iptables.
  [ -e /proc/sys/net/bridge/bridge-nf-call-iptables ] && sysctl -qw net.bridge.bridge-nf-call-iptables=1
  if ! ip link show "$BRIDGE" >/dev/null 2>&1; then
    ip link add "$BRIDGE" type bridge
  fi
  [[ "$(ip -o -4 addr show dev "$BRIDGE")" == *" $POD_GATEWAY_IP/"* ]] ||
    ip addr add "$POD_GATEWAY_IP/${POD_CIDR#*/}" dev "$BRIDGE"
  ip link set "$BRIDGE" up
}

# Names what holds a port the control plane needs: most likely another checkout's cluster.
die_port_taken_by() {
  local msg="port $1 on 127.0.0.1 ($2) is in use" pid
  if pid="$(port_pid "$1")"; then
    describe_pid "$pid"
    msg+=" by pid $pid: $HOLDER_CMD"
  fi
  die "$msg"$'\n'"  One local cluster runs on a machine (the node's ports are fixed): if that is another checkout's, stop it there with scripts/k8s/cluster.sh down"
}

start_control_plane() {
  port_free "$ETCD_PORT" || pid_of etcd >/dev/null || die_port_taken_by "$ETCD_PORT" ETCD_PORT
  port_free "$KUBE_API_PORT" || pid_of kube-apiserver >/dev/null || die_port_taken_by "$KUBE_API_PORT" KUBE_API_PORT
  # The cluster's state is thrown away by 'down', so etcd need not wait for the disk.
  start etcd "$K8S_BIN/etcd" --name=poort --data-dir="$K8S_LOCAL/etcd" --unsafe-no-fsync --log-level=warn \
    --listen-client-urls="http://127.0.0.1:$ETCD_PORT" --advertise-client-urls="http://127.0.0.1:$ETCD_PORT" \
    --listen-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" --initial-advertise-peer-urls="http://127.0.0.1:$ETCD_PEER_PORT" \
    --initial-cluster="poort=http://127.0.0.1:$ETCD_PEER_PORT"
  wait_for etcd "etcd health" curl -fsS "http://127.0.0.1:$ETCD_PORT/health"

  start kube-apiserver "$K8S_BIN/kube-apiserver" --etcd-servers="http://127.0.0.1:$ETCD_PORT" \
    --bind-address=127.0.0.1 --advertise-address=127.0.0.1 --secure-port="$KUBE_API_PORT" \
    --tls-cert-file="$PKI/apiserver.crt" --tls-private-key-file="$PKI/apiserver.key" --client-ca-file="$PKI/ca.crt" \
    --token-auth-file="$PKI/tokens.csv" --authorization-mode=Node,RBAC --enable-admission-plugins=NodeRestriction \
    --service-cluster-ip-range="$SERVICE_CIDR" --allow-privileged=true --profiling=false \
    --service-account-issuer=https://kubernetes.default.svc.cluster.local \
    --service-account-key-file="$PKI/sa.pub" --service-account-signing-key-file="$PKI/sa.key" \
    --kubelet-client-certificate="$PKI/apiserver-kubelet-client.crt" --kubelet-client-key="$PKI/apiserver-kubelet-client.key" \
    --kubelet-preferred-address-types=Hostname
  wait_for kube-apiserver "API server readiness" kubectl_admin get --raw=/readyz

  start kube-controller-manager "$K8S_BIN/kube-controller-manager" \
    --kubeconfig="$K8S_LOCAL/kubeconfigs/kube-controller-manager.kubeconfig" --bind-address=127.0.0.1 \
    --leader-elect=false --use-service-account-credentials=true --service-account-private-key-file="$PKI/sa.key" \
    --root-ca-file="$PKI/ca.crt" --cluster-signing-cert-file="$PKI/ca.crt" --cluster-signing-key-file="$PKI/ca.key" \
    --service-cluster-ip-range="$SERVICE_CIDR" --cluster-cidr="$POD_CIDR" --allocate-node-cidrs=false
  start kube-scheduler "$K8S_BIN/kube-scheduler" --kubeconfig="$K8S_LOCAL/kubeconfigs/kube-scheduler.kubeconfig" \
    --bind-address=127.0.0.1 --leader-elect=false
}

start_node() {
  [ "${#CONTAINERD_SOCK}" -le 100 ] || die "the containerd socket path $CONTAINERD_SOCK is too long for a unix socket: use a shorter checkout path"
  mkdir -p "$K8S_LOCAL/containerd" "$K8S_LOCAL/cni/net.d" "$K8S_LOCAL/kubelet" "$K8S_LOCAL/pod-logs"
  render containerd.toml "$CONF/containerd.toml"
  render cni.conflist "$K8S_LOCAL/cni/net.d/10-poort.conflist"
  start containerd containerd --config "$CONF/containerd.toml"
  wait_for containerd "the containerd socket" ctr --address "$CONTAINERD_SOCK" version
  ctr_k8s images import "$K8S_CACHE/images/pause.tar" >/dev/null

  render kubelet.yaml "$CONF/kubelet.yaml"
  start kubelet "$K8S_BIN/kubelet" --config="$CONF/kubelet.yaml" --root-dir="$K8S_LOCAL/kubelet" \
    --kubeconfig="$K8S_LOCAL/kubeconfigs/kubelet.kubeconfig" --hostname-override=localhost
  render kube-proxy.yaml "$CONF/kube-proxy.yaml"
  start kube-proxy "$K8S_BIN/kube-proxy" --config="$CONF/kube-proxy.yaml"

  render dns.yaml "$CONF/dns.yaml"
  kubectl_admin apply -f "$CONF/dns.yaml" >/dev/null
  render Corefile "$CONF/Corefile"
  start coredns "$K8S_BIN/coredns" -conf "$CONF/Corefile"
}

node_ready() {
  [ "$(kubectl_admin get node localhost -o jsonpath='{.status.conditions[?(@.type=="Ready")].status}')" = True ]
}

# Asks the cluster DNS itself (no resolver tool is installed for this: Node's resolver takes a server).
dns_answers() {
  "$(project_node)" -e '
    const [server, name, expected] = process.argv.slice(1);
    const resolver = new (require("node:dns").promises.Resolver)({ timeout: 2000, tries: 1 });
    resolver.setServers([server]);
    resolver.resolve4(name).then((ips) => process.exit(ips.includes(expected) ? 0 : 1), () => process.exit(1));
  ' "$DNS_IP" kubernetes.default.svc.cluster.local "$KUBERNETES_SERVICE_IP"
}

cmd_up() {
  need_root "cluster.sh up"
  mkdir -p "$K8S_LOCAL" "$CONF" "$LOGS" "$RUN"
  exec 9>"$K8S_LOCAL/.lock"
  flock 9
  "$K8S_SCRIPTS/cluster-tools.sh"
  [ -x "$KUBECTL" ] || die "kubectl not found at $KUBECTL: run scripts/k8s/static-tools.sh (or set KUBECTL)"
  local started=$SECONDS
  ensure_network
  ensure_pki
  write_kubeconfigs
  start_control_plane
  start_node
  wait_for kubelet "a Ready node 'localhost'" node_ready
  wait_for coredns "CoreDNS readiness" curl -fsS "http://127.0.0.1:$COREDNS_READY_PORT/ready"
  wait_for kube-proxy "cluster DNS answering at $DNS_IP" dns_answers
  wait_for kube-controller-manager "the default service account" kubectl_admin -n default get serviceaccount default
  log "cluster up in $((SECONDS - started))s: KUBECONFIG=${ADMIN_KUBECONFIG#"$ROOT"/}, containerd $CONTAINERD_SOCK"
}

cmd_down() {
  need_root "cluster.sh down"
  mkdir -p "$K8S_LOCAL" "$LOGS" "$RUN"
  exec 9>"$K8S_LOCAL/.lock"
  flock 9
  local started=$SECONDS
  # The cluster's state is thrown away below, so only containerd (which keeps the images) gets a graceful
  # shutdown. Controllers first, so that nothing recreates the pods being removed.
  stop --kill kube-controller-manager kube-scheduler
  pid_of kube-apiserver >/dev/null && pid_of kubelet >/dev/null && drain_pods 20
  stop --kill coredns kube-proxy kubelet kube-apiserver etcd
  pid_of containerd >/dev/null && remove_containers
  stop containerd
  kill_shims
  rm -f "$CONTAINERD_SOCK" "$CONTAINERD_SOCK.ttrpc"
  if [ -x "$K8S_BIN/kube-proxy" ] && ! "$K8S_BIN/kube-proxy" --cleanup >>"$LOGS/kube-proxy.log" 2>&1; then
    log "kube-proxy --cleanup failed (see ${LOGS#"$ROOT"/}/kube-proxy.log); removing its chains directly"
  fi
  drop_iptables_chains
  unmount_below "$K8S_LOCAL"
  ip link del "$BRIDGE" 2>/dev/null || true
  remove_cgroups
  rm -rf "$K8S_LOCAL/etcd" "$K8S_LOCAL/kubelet" "$K8S_LOCAL/cni/ipam" "$K8S_LOCAL/containerd/state" "$K8S_LOCAL/pod-logs"
  log "cluster down in $((SECONDS - started))s"
}

cmd_status() {
  local name stopped=()
  for name in "${COMPONENTS[@]}"; do pid_of "$name" >/dev/null || stopped+=("$name"); done
  if [ "${#stopped[@]}" -eq 0 ] && kubectl_admin get --raw=/readyz >/dev/null 2>&1 && node_ready 2>/dev/null; then
    echo "k8s: running, API https://127.0.0.1:$KUBE_API_PORT (KUBECONFIG=${ADMIN_KUBECONFIG#"$ROOT"/}), node localhost Ready"
    return 0
  fi
  if [ "${#stopped[@]}" -eq "${#COMPONENTS[@]}" ]; then
    echo "k8s: stopped"
  else
    echo "k8s: not ready (not running: ${stopped[*]:-none})"
  fi
  return 3
}

case "${1:-}" in
  up) cmd_up ;;
  down) cmd_down ;;
  status) cmd_status ;;
  network) need_root "cluster.sh network" && ensure_network ;;
  *) echo "usage: $0 {up|down|status|network}" >&2; exit 2 ;;
esac
