#!/usr/bin/env bash
# The whole chain on the local Kubernetes cluster, in one command: the toolchain, Kafka and Postgres on the host
# (reachable from pods), the cluster (built from source the first time, ~8 minutes; needs root), the image, and
# helm/poort installed with the test PKI and two recipients served by this process. Ctrl-C uninstalls the release;
# scripts/k8s/cluster.sh down stops the cluster, scripts/infra/down.sh Kafka and Postgres.
# POORT_REPLICAS (1): replicas of every service.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../provision.sh"
exec node --enable-source-maps deploy/dist/src/local-chain.cli.js
