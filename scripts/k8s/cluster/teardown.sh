# shellcheck shell=bash
# What 'cluster.sh down' removes besides its processes: containers, network namespaces, mounts, iptables chains
# and cgroups the cluster made. Sourced by cluster.sh, whose settings, kubectl_admin and ctr_k8s it uses.

# Lets the kubelet stop every pod through the CRI (so that the CNI releases addresses and network namespaces):
# force-deletes all pods and SIGKILLs their containers (no grace: the cluster is going away), until no address
# is allocated any more.
drain_pods() {
  local deadline=$((SECONDS + ${1:-20})) id
  kubectl_admin delete pods --all --all-namespaces --force --grace-period=0 \
    --wait=false >/dev/null 2>&1 || return 0
  while compgen -G "$K8S_LOCAL/cni/ipam/*/10.*" >/dev/null; do
    [ "$SECONDS" -lt "$deadline" ] || { log "pods still hold addresses after ${1:-20}s: removing them directly"; return 0; }
    for id in $(ctr_k8s tasks list 2>/dev/null | awk '$3 == "RUNNING" { print $1 }'); do
      ctr_k8s tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true
    done
    sleep 0.3
  done
}

# Deletes the containers the kubelet left (stopped ones, or all when it was gone or too slow), with their network
# namespaces.
remove_containers() {
  local ids id netns=()
  ids="$(ctr_k8s containers list --quiet 2>/dev/null)" || return 0
  [ -n "$ids" ] || return 0
  for id in $ids; do
    mapfile -t -O "${#netns[@]}" netns < <(ctr_k8s containers info "$id" 2>/dev/null |
      grep -o '"path": *"/[^"]*netns/[^"]*"' | sed 's/.*"\(\/[^"]*\)"$/\1/')
    ctr_k8s tasks kill --signal SIGKILL "$id" >/dev/null 2>&1 || true
  done
  for id in $ids; do
    ctr_k8s tasks delete --force "$id" >/dev/null 2>&1 || true
    ctr_k8s containers delete "$id" >/dev/null 2>&1 || true
  done
  for id in $(printf '%s\n' "${netns[@]}" | sort -u); do
    umount "$id" 2>/dev/null || true
    rm -f "$id"
  done
}

# Kills containerd shims that outlived containerd (they are started with our socket as their -address).
kill_shims() {
  local f pid
  for f in /proc/[0-9]*/cmdline; do
    grep -qsaF -- "$CONTAINERD_SOCK" "$f" || continue
    pid="${f#/proc/}"
    pid="${pid%/cmdline}"
    if [ "$pid" != $$ ]; then kill -KILL "$pid" 2>/dev/null || true; fi
  done
}

# Removes the KUBE-* (kube-proxy, kubelet) and CNI-* (CNI plugins) chains and every rule that jumps to them,
# leaving everyone else's rules as they are.
drop_iptables_chains() {
  local cmd table dump
  for cmd in iptables ip6tables; do
    command -v "$cmd-save" >/dev/null || continue
    for table in nat filter mangle; do
      dump="$("$cmd-save" -t "$table" 2>/dev/null)" || continue
      grep -qE '^:(KUBE|CNI)-' <<<"$dump" || continue
      grep -vE '^:(KUBE|CNI)-|^-A (KUBE|CNI)-|-[jg] (KUBE|CNI)-' <<<"$dump" | "$cmd-restore" -w 5 ||
        log "could not remove the KUBE-/CNI- chains from $cmd's $table table"
    done
  done
}

# Unmounts everything below $1 (deepest first).
unmount_below() {
  local m
  awk -v d="$1" '$5 == d || index($5, d "/") == 1 { print $5 }' /proc/self/mountinfo | sort -r | while read -r m; do
    umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || log "could not unmount $m"
  done
}

# The kubelet's cgroups (kubepods under every v1 controller), once their processes are gone.
remove_cgroups() {
  local d
  for d in /sys/fs/cgroup/*/kubepods /sys/fs/cgroup/*/kubepods.slice; do
    [ -d "$d" ] && find "$d" -depth -type d -exec rmdir {} \; 2>/dev/null
  done
  return 0
}
