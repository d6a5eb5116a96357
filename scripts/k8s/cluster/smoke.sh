#!/usr/bin/env bash
# Checks the running local cluster end to end with a pod under the 'restricted' Pod Security Standard: a tiny
# busybox image imported without a registry, cluster DNS, and (given their ports) Kafka and PostgreSQL on the host
# at the pod gateway, answering their own protocols; then 'kubectl logs'. Leaves nothing behind.
#
#   scripts/k8s/cluster/smoke.sh [--kafka <port>] [--postgres <port>]
set -euo pipefail
# shellcheck source=lib.sh
. "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../env.sh
. "$K8S_SCRIPTS/env.sh"

kafka_port="" pg_port=""
while [ "$#" -gt 0 ]; do
  case "$1" in
    --kafka) kafka_port=$2; shift 2 ;;
    --postgres) pg_port=$2; shift 2 ;;
    *) echo "usage: $0 [--kafka <port>] [--postgres <port>]" >&2; exit 2 ;;
  esac
done

IMAGE=localhost/poort-smoke-busybox:1
NS=poort-smoke
archive="$K8S_CACHE/images/busybox-smoke.tar"
if [ ! -f "$archive" ] || [ /bin/busybox -nt "$archive" ]; then
  rootfs="$(mktemp -d)"
  mkdir -p "$rootfs/bin" "$rootfs/tmp"
  cp /bin/busybox "$rootfs/bin/busybox"
  "$CLUSTER_FILES/image-archive.sh" "$rootfs" "$IMAGE" "$archive" 65534 /bin/busybox
  rm -rf "$rootfs"
fi
ctr --address "$CONTAINERD_ADDRESS" -n k8s.io images import "$archive" >/dev/null

# PostgreSQL answers an SSLRequest with one byte ('N' here); Kafka answers ApiVersions v0 with correlation id 1.
script='set -e
busybox nslookup kubernetes.default.svc.cluster.local
busybox nslookup kube-dns.kube-system.svc.cluster.local'
[ -n "$kafka_port" ] && script+="
reply=\$(busybox printf '\\000\\000\\000\\012\\000\\022\\000\\000\\000\\000\\000\\001\\377\\377' |
  busybox timeout 3 busybox nc $POD_GATEWAY_IP $kafka_port | busybox od -An -tx1 -N8 | busybox tr -d ' ')
echo \"kafka at $POD_GATEWAY_IP:$kafka_port: \$reply\"
[ \"\${reply#????????}\" = 00000001 ]"
[ -n "$pg_port" ] && script+="
reply=\$(busybox printf '\\000\\000\\000\\010\\004\\322\\026\\057' |
  busybox timeout 3 busybox nc $POD_GATEWAY_IP $pg_port | busybox head -c 1)
echo \"postgres at $POD_GATEWAY_IP:$pg_port: \$reply\"
[ \"\$reply\" = N ]"
script+="
echo smoke-ok"

kubectl delete namespace "$NS" --ignore-not-found --wait=true >/dev/null
kubectl apply -f - >/dev/null <<YAML
apiVersion: v1
kind: Namespace
metadata:
  name: $NS
  labels:
    pod-security.kubernetes.io/enforce: restricted
    pod-security.kubernetes.io/warn: restricted
---
apiVersion: v1
kind: Pod
metadata:
  name: smoke
  namespace: $NS
spec:
  restartPolicy: Never
  automountServiceAccountToken: false
  securityContext:
    runAsNonRoot: true
    runAsUser: 65534
    runAsGroup: 65534
    seccompProfile:
      type: RuntimeDefault
  containers:
    - name: smoke
      image: $IMAGE
      imagePullPolicy: Never
      args:
        - sh
        - -c
        - |
          ${script//$'\n'/$'\n'          }
      securityContext:
        allowPrivilegeEscalation: false
        readOnlyRootFilesystem: true
        capabilities:
          drop: [ALL]
YAML
kubectl -n "$NS" wait pod/smoke --for=jsonpath='{.status.phase}'=Succeeded --timeout=60s >/dev/null || {
  kubectl -n "$NS" describe pod smoke >&2 || true
  kubectl -n "$NS" logs smoke >&2 || true
  kubectl delete namespace "$NS" --wait=false >/dev/null
  die "the smoke pod did not succeed"
}
kubectl -n "$NS" logs smoke
kubectl delete namespace "$NS" --wait=true >/dev/null
log "smoke test passed"
