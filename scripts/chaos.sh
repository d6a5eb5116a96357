#!/usr/bin/env bash
# The long variant of the chaos suite (not in CI): the scenarios of e2e/test/chaos.e2e.test.ts — two replicas of every
# service; every service SIGKILLed; the broker SIGKILLed; Postgres stopped hard for 5 s and 30 s and restarted as
# planned; a poison event re-driven — each with a steady stream of --messages submissions (default 1700, so a run
# carries over 10,000) at --rate per second (default 25). It stops and starts this checkout's Kafka and Postgres.
# Prints one summary line per scenario. Usage: scripts/chaos.sh [--messages N] [--rate R]
set -euo pipefail
messages=1700
rate=25
while [ $# -gt 0 ]; do
  case "$1" in
    --messages) messages="$2"; shift 2 ;;
    --rate) rate="$2"; shift 2 ;;
    *) echo "usage: scripts/chaos.sh [--messages N] [--rate R]" >&2; exit 64 ;;
  esac
done
source "$(dirname "${BASH_SOURCE[0]}")/provision.sh"
export POORT_ROOT="$ROOT" CHAOS_MESSAGES="$messages" CHAOS_RATE="$rate"
exec node --enable-source-maps --test --test-timeout=7200000 --test-reporter=spec e2e/dist/test/chaos.e2e.test.js
