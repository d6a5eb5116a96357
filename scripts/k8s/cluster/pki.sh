# shellcheck shell=bash
# Credentials of the local cluster (sourced by cluster.sh): a CA, the API server's serving certificate, its
# client certificate for the kubelet, the service-account signing key, one static token per component, and
# the kubeconfigs that use them. Made once per state directory, at run time; never committed.

# issue_cert <name> <subject> <extensions>: an EC P-256 key and a certificate signed by the CA.
issue_cert() {
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj "$2" \
    -keyout "$PKI/$1.key" -out "$PKI/$1.csr" 2>/dev/null
  openssl x509 -req -in "$PKI/$1.csr" -CA "$PKI/ca.crt" -CAkey "$PKI/ca.key" -CAcreateserial -days 3650 \
    -extfile <(printf 'basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature,keyEncipherment\n%s\n' "$3") \
    -out "$PKI/$1.crt" 2>/dev/null
  rm -f "$PKI/$1.csr"
}

# Users: the admin (system:masters), then the components, named as the built-in RBAC bindings expect.
TOKEN_USERS=(
  "admin,poort-admin,system:masters"
  "kubelet,system:node:localhost,system:nodes"
  "kube-proxy,system:kube-proxy,"
  "kube-controller-manager,system:kube-controller-manager,"
  "kube-scheduler,system:kube-scheduler,"
  "coredns,system:coredns,"
)

ensure_pki() {
  [ -f "$PKI/.complete" ] && return 0
  log "creating the cluster's CA, certificates, keys and tokens in ${PKI#"$ROOT"/}"
  rm -rf "$PKI"
  mkdir -p "$PKI"
  chmod 700 "$PKI"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 3650 \
    -subj "/CN=poort-local-kubernetes-ca" -keyout "$PKI/ca.key" -out "$PKI/ca.crt" 2>/dev/null
  issue_cert apiserver "/CN=kube-apiserver" "extendedKeyUsage=serverAuth
subjectAltName=DNS:localhost,DNS:kubernetes,DNS:kubernetes.default,DNS:kubernetes.default.svc,DNS:kubernetes.default.svc.cluster.local,IP:127.0.0.1,IP:$KUBERNETES_SERVICE_IP,IP:$POD_GATEWAY_IP"
  issue_cert apiserver-kubelet-client "/O=system:masters/CN=kube-apiserver-kubelet-client" "extendedKeyUsage=clientAuth"
  openssl genrsa -out "$PKI/sa.key" 2048 2>/dev/null
  openssl rsa -in "$PKI/sa.key" -pubout -out "$PKI/sa.pub" 2>/dev/null
  local entry name user groups
  : >"$PKI/tokens.csv"
  for entry in "${TOKEN_USERS[@]}"; do
    IFS=, read -r name user groups <<<"$entry"
    printf '%s,%s,%s,"%s"\n' "$(head -c 32 /dev/urandom | base64 | tr -dc 'A-Za-z0-9')" "$user" "$user" "$groups" \
      >>"$PKI/tokens.csv"
  done
  chmod 600 "$PKI"/*
  touch "$PKI/.complete"
}

# write_kubeconfig <file> <user>: a kubeconfig with the user's static token, for https://127.0.0.1:$KUBE_API_PORT.
write_kubeconfig() {
  local token
  token="$(awk -F, -v u="$2" '$2 == u { print $1 }' "$PKI/tokens.csv")"
  [ -n "$token" ] || die "no token for $2 in ${PKI#"$ROOT"/}/tokens.csv"
  write_if_changed "$1" <<KUBECONFIG
apiVersion: v1
kind: Config
clusters:
  - name: poort-local
    cluster:
      server: https://127.0.0.1:$KUBE_API_PORT
      certificate-authority-data: $(base64 -w0 "$PKI/ca.crt")
users:
  - name: $2
    user:
      token: $token
contexts:
  - name: poort-local
    context:
      cluster: poort-local
      user: $2
current-context: poort-local
KUBECONFIG
}

write_kubeconfigs() {
  local entry name user
  mkdir -p "$K8S_LOCAL/kubeconfigs"
  for entry in "${TOKEN_USERS[@]}"; do
    IFS=, read -r name user _ <<<"$entry"
    if [ "$name" = admin ]; then
      write_kubeconfig "$ADMIN_KUBECONFIG" "$user"
    else
      write_kubeconfig "$K8S_LOCAL/kubeconfigs/$name.kubeconfig" "$user"
    fi
  done
}
