{{/* Names and labels. */}}
{{- define "poort.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end -}}

{{- define "poort.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 48 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 48 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{- define "poort.selectorLabels" -}}
app.kubernetes.io/name: {{ include "poort.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "poort.labels" -}}
{{ include "poort.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* Labels of one component (a service, the migration, the test): include "poort.componentLabels" (list $ "ingress") */}}
{{- define "poort.componentSelector" -}}
{{ include "poort.selectorLabels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{- define "poort.componentLabels" -}}
{{ include "poort.labels" (index . 0) }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end -}}

{{/*
What each service is: edge (callers identified by certificate: TLS or the proxy header), public (an edge service
callers outside the cluster reach: an Ingress host, service.edgeType), config (reads the message types and
recipients), consumes (a Kafka consumer, scalable on lag), operators (knows OPERATOR_OINS), wus (serves WUS
endpoints). Senders call ingress and notification, recipients delivery (zetStatus, their mailboxes) and routing
(their subscriptions); the archive is for operators inside the cluster. The order is the chain's.
*/}}
{{- define "poort.serviceTraits" -}}
ingress: { edge: true, public: true, config: true, consumes: false, operators: true, wus: true }
authorization: { edge: false, public: false, config: true, consumes: true, operators: false, wus: false }
validation: { edge: false, public: false, config: true, consumes: true, operators: false, wus: false }
transformation: { edge: false, public: false, config: true, consumes: true, operators: false, wus: false }
routing: { edge: true, public: true, config: true, consumes: true, operators: true, wus: false }
delivery: { edge: true, public: true, config: true, consumes: true, operators: false, wus: true }
archive: { edge: true, public: false, config: false, consumes: true, operators: true, wus: false }
notification: { edge: true, public: true, config: false, consumes: true, operators: false, wus: true }
{{- end -}}

{{/* The services `helm test` calls: it submits at ingress and waits for the status at notification. */}}
{{- define "poort.smokeTestTargets" -}}
[ingress, notification]
{{- end -}}

{{- define "poort.serviceNames" -}}
[ingress, authorization, validation, transformation, routing, delivery, archive, notification]
{{- end -}}

{{- define "poort.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) -}}
{{- end -}}

{{/* True (non-empty) when an edge service ends TLS itself. */}}
{{- define "poort.edgeTls" -}}
{{- if eq .Values.clientIdentity.mode "mtls" }}true{{ end -}}
{{- end -}}

{{/*
The Secret (type kubernetes.io/tls) with Poort's client certificate towards recipients, mounted on delivery in both
modes: clientIdentity.deliveryClientSecret, or the server certificate.
*/}}
{{- define "poort.deliveryClientSecret" -}}
{{- $ci := .Values.clientIdentity -}}
{{- required "clientIdentity.deliveryClientSecret (or clientIdentity.serverTlsSecret) is required: delivery presents it to recipients" (default $ci.serverTlsSecret $ci.deliveryClientSecret) -}}
{{- end -}}

{{- define "poort.kafkaTls" -}}
{{- if .Values.kafka.tls.caSecret.name }}true{{ end -}}
{{- end -}}

{{/* The config directory the services read: the mounted ConfigMap, or the image's own. */}}
{{- define "poort.hasConfigMap" -}}
{{- if or .Values.config.existingConfigMap .Values.config.files }}true{{ end -}}
{{- end -}}

{{- define "poort.configMapName" -}}
{{- default (printf "%s-config" (include "poort.fullname" .)) .Values.config.existingConfigMap -}}
{{- end -}}

{{/* A ConfigMap key for a config path: '/' becomes '__' (keys cannot hold '/'); items[].path restores the tree. */}}
{{- define "poort.configKey" -}}
{{- $key := replace "/" "__" . -}}
{{- if not (regexMatch "^[-._a-zA-Z0-9]+$" $key) -}}
{{- fail (printf "config.files: %q has characters a ConfigMap key cannot hold" .) -}}
{{- end -}}
{{- $key -}}
{{- end -}}

{{/* The restricted Pod Security Standard, for every pod of the chart. */}}
{{- define "poort.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: 10001
runAsGroup: 10001
fsGroup: 10001
seccompProfile:
  type: RuntimeDefault
{{- end -}}

{{- define "poort.containerSecurityContext" -}}
allowPrivilegeEscalation: false
readOnlyRootFilesystem: true
runAsNonRoot: true
capabilities:
  drop: [ALL]
{{- end -}}

{{/* DATABASE_URL from the existing Secret: include "poort.databaseUrlEnv" (list $ key) */}}
{{- define "poort.databaseUrlEnv" -}}
{{- $ := index . 0 -}}
- name: DATABASE_URL
  valueFrom:
    secretKeyRef:
      name: {{ required "database.existingSecret is required" $.Values.database.existingSecret }}
      key: {{ index . 1 }}
{{- end -}}

{{/* The environment of one service: include "poort.serviceEnv" (list $ name traits values) */}}
{{- define "poort.serviceEnv" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $traits := index . 2 -}}
{{- $svc := index . 3 -}}
{{- $v := $.Values -}}
{{- $env := dict
  "NODE_ENV" "production"
  "HOST" "0.0.0.0"
  "PORT" "8080"
  "LOG_LEVEL" $v.logLevel
  "KAFKA_BROKERS" (join "," (required "kafka.brokers is required" $v.kafka.brokers))
  "KAFKA_CLIENT_ID" (printf "poort-%s" $name)
  "KAFKA_NAMESPACE" $v.kafka.topicPrefix
  "KAFKA_TOPIC_PARTITIONS" (toString $v.kafka.topicPartitions)
  "KAFKA_REPLICATION_FACTOR" (toString $v.kafka.replicationFactor)
  "KAFKA_MAX_RETRIES" (toString $v.kafka.maxRetries)
  "KAFKA_SESSION_TIMEOUT_MS" (toString $v.kafka.sessionTimeoutMs)
  "DATABASE_POOL_SIZE" (toString $v.database.poolSize)
-}}
{{- if $v.otlpEndpoint }}{{ $_ := set $env "OTEL_EXPORTER_OTLP_ENDPOINT" $v.otlpEndpoint }}{{ end -}}
{{- if include "poort.kafkaTls" $ -}}
{{- $_ := set $env "KAFKA_SSL_CA_FILE" "/etc/poort/kafka/ca.crt" -}}
{{- $_ := set $env "KAFKA_SSL_CERT_FILE" "/etc/poort/kafka/user.crt" -}}
{{- $_ := set $env "KAFKA_SSL_KEY_FILE" "/etc/poort/kafka/user.key" -}}
{{- end -}}
{{- if $traits.config -}}
{{- $_ := set $env "POORT_CONFIG_DIR" (ternary "/etc/poort/config" "/app/config" (eq (include "poort.hasConfigMap" $) "true")) -}}
{{- end -}}
{{- if $traits.edge -}}
{{- $ci := $v.clientIdentity -}}
{{- $_ := set $env "CLIENT_IDENTITY_MODE" $ci.mode -}}
{{- $_ := set $env "TLS_CA_FILE" "/etc/poort/client-ca/ca.crt" -}}
{{- $_ := set $env "REVOCATION_POLICY" $ci.revocationPolicy -}}
{{- if $ci.crlSecret.name }}{{ $_ := set $env "TLS_CRL_FILE" "/etc/poort/client-crl/crl.pem" }}{{ end -}}
{{- if include "poort.edgeTls" $ -}}
{{- $_ := set $env "TLS_CERT_FILE" "/etc/poort/tls/tls.crt" -}}
{{- $_ := set $env "TLS_KEY_FILE" "/etc/poort/tls/tls.key" -}}
{{- else -}}
{{- $_ := set $env "PROXY_CERT_HEADER" $ci.proxyCertHeader -}}
{{- /* Every request comes through the proxy: a cap per client address would cap them all together. */ -}}
{{- $_ := set $env "HTTP_MAX_CONNECTIONS_PER_CLIENT" "0" -}}
{{- end -}}
{{- end -}}
{{- if eq $name "delivery" -}}
{{- /* In both modes: in proxy-header mode the pod holds no server certificate to fall back on. */ -}}
{{- $_ := set $env "DELIVERY_CLIENT_CERT_FILE" "/etc/poort/delivery-client/tls.crt" -}}
{{- $_ := set $env "DELIVERY_CLIENT_KEY_FILE" "/etc/poort/delivery-client/tls.key" -}}
{{- end -}}
{{- if $traits.wus -}}
{{- $_ := set $env "WUS_ALLOW_SHA1" (toString $v.clientIdentity.wusAllowSha1) -}}
{{- if $svc.publicUrl }}{{ $_ := set $env "WUS_PUBLIC_URL" $svc.publicUrl }}{{ end -}}
{{- if $v.clientIdentity.wusSigningSecret -}}
{{- $_ := set $env "WUS_SIGNING_CERT_FILE" "/etc/poort/wus-signing/tls.crt" -}}
{{- $_ := set $env "WUS_SIGNING_KEY_FILE" "/etc/poort/wus-signing/tls.key" -}}
{{- end -}}
{{- end -}}
{{- if $traits.operators }}{{ $_ := set $env "OPERATOR_OINS" (join "," $v.operatorOins) }}{{ end -}}
{{- $env = merge (deepCopy ($svc.env | default dict)) (deepCopy ($v.env | default dict)) $env -}}
{{- include "poort.databaseUrlEnv" (list $ $v.database.key) }}
{{- range $key := keys $env | sortAlpha }}
- name: {{ $key }}
  value: {{ index $env $key | toString | quote }}
{{- end }}
{{- end -}}

{{/* Volumes and their mounts of one service: include "poort.serviceVolumes" (list $ name traits) */}}
{{- define "poort.serviceVolumes" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $traits := index . 2 -}}
{{- $v := $.Values -}}
- name: tmp
  emptyDir:
    sizeLimit: {{ $v.pod.tmpSizeLimit }}
{{- if and $traits.config (include "poort.hasConfigMap" $) }}
- name: config
  configMap:
    name: {{ include "poort.configMapName" $ }}
    {{- if $v.config.files }}
    items:
      {{- range $path := keys $v.config.files | sortAlpha }}
      - key: {{ include "poort.configKey" $path }}
        path: {{ $path }}
      {{- end }}
    {{- end }}
{{- end }}
{{- if include "poort.kafkaTls" $ }}
- name: kafka-tls
  projected:
    defaultMode: 0440
    sources:
      - secret:
          name: {{ $v.kafka.tls.caSecret.name }}
          items: [{ key: {{ $v.kafka.tls.caSecret.key }}, path: ca.crt }]
      - secret:
          name: {{ printf "%s%s" $v.kafka.tls.userSecretPrefix $name }}
          items:
            - { key: {{ $v.kafka.tls.certKey }}, path: user.crt }
            - { key: {{ $v.kafka.tls.keyKey }}, path: user.key }
{{- end }}
{{- if $v.database.caSecret.name }}
- name: database-ca
  secret:
    secretName: {{ $v.database.caSecret.name }}
    defaultMode: 0440
    items: [{ key: {{ $v.database.caSecret.key }}, path: ca.crt }]
{{- end }}
{{- if $traits.edge }}
{{- $ci := $v.clientIdentity }}
- name: client-ca
  secret:
    secretName: {{ required "clientIdentity.caSecret.name is required" $ci.caSecret.name }}
    defaultMode: 0440
    items: [{ key: {{ $ci.caSecret.key }}, path: ca.crt }]
{{- if $ci.crlSecret.name }}
- name: client-crl
  secret:
    secretName: {{ $ci.crlSecret.name }}
    defaultMode: 0440
    items: [{ key: {{ $ci.crlSecret.key }}, path: crl.pem }]
{{- end }}
{{- if include "poort.edgeTls" $ }}
- name: server-tls
  secret:
    secretName: {{ required "clientIdentity.serverTlsSecret is required in mtls mode" $ci.serverTlsSecret }}
    defaultMode: 0440
    items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
{{- end }}
{{- if and $traits.wus $ci.wusSigningSecret }}
- name: wus-signing
  secret:
    secretName: {{ $ci.wusSigningSecret }}
    defaultMode: 0440
    items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
{{- end }}
{{- end }}
{{- if eq $name "delivery" }}
- name: delivery-client
  secret:
    secretName: {{ include "poort.deliveryClientSecret" $ }}
    defaultMode: 0440
    items: [{ key: tls.crt, path: tls.crt }, { key: tls.key, path: tls.key }]
{{- end }}
{{- end -}}

{{/* The mounts of the volumes above, at the paths the environment names. */}}
{{- define "poort.serviceVolumeMounts" -}}
{{- $ := index . 0 -}}
{{- $name := index . 1 -}}
{{- $traits := index . 2 -}}
{{- $v := $.Values -}}
- { name: tmp, mountPath: /tmp }
{{- if and $traits.config (include "poort.hasConfigMap" $) }}
- { name: config, mountPath: /etc/poort/config, readOnly: true }
{{- end }}
{{- if include "poort.kafkaTls" $ }}
- { name: kafka-tls, mountPath: /etc/poort/kafka, readOnly: true }
{{- end }}
{{- if $v.database.caSecret.name }}
- { name: database-ca, mountPath: /etc/poort/database-ca, readOnly: true }
{{- end }}
{{- if $traits.edge }}
- { name: client-ca, mountPath: /etc/poort/client-ca, readOnly: true }
{{- if $v.clientIdentity.crlSecret.name }}
- { name: client-crl, mountPath: /etc/poort/client-crl, readOnly: true }
{{- end }}
{{- if include "poort.edgeTls" $ }}
- { name: server-tls, mountPath: /etc/poort/tls, readOnly: true }
{{- end }}
{{- if and $traits.wus $v.clientIdentity.wusSigningSecret }}
- { name: wus-signing, mountPath: /etc/poort/wus-signing, readOnly: true }
{{- end }}
{{- end }}
{{- if eq $name "delivery" }}
- { name: delivery-client, mountPath: /etc/poort/delivery-client, readOnly: true }
{{- end }}
{{- end -}}

{{/* The scheme a service speaks on its port: HTTPS for edge services in mtls mode. */}}
{{- define "poort.scheme" -}}
{{- $ := index . 0 -}}
{{- $traits := index . 1 -}}
{{- if and $traits.edge (include "poort.edgeTls" $) }}HTTPS{{ else }}HTTP{{ end -}}
{{- end -}}

{{/* NetworkPolicy peers and ports of one path: include "poort.netpolPath" .Values.networkPolicy.kafka */}}
{{- define "poort.netpolPath" -}}
{{- if .to -}}
to: {{- toYaml .to | nindent 2 }}
{{ end -}}
ports: {{- toYaml .ports | nindent 2 }}
{{- end -}}
