#!/usr/bin/env bash
# Brings the project's own toolchain (Node.js 24 LTS and pnpm, both from the npm registry) into .tools/
# and installs the workspace. Idempotent: a second run only checks.
# Source it (". scripts/bootstrap.sh") to get the toolchain on PATH, or run it.
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
TOOLS="$ROOT/.tools"
NODE_RANGE="24"
PNPM_RANGE="12"

log() { printf '\033[1;34m[bootstrap]\033[0m %s\n' "$*" >&2; }
die() { printf '\033[1;31m[bootstrap] %s\033[0m\n' "$*" >&2; exit 1; }

command -v npm >/dev/null || die "npm is needed once to fetch Node.js $NODE_RANGE (install Debian's 'npm' package)."

if ! "$TOOLS/node_modules/.bin/node" --version 2>/dev/null | grep -q "^v$NODE_RANGE\."; then
  log "installing Node.js $NODE_RANGE and pnpm $PNPM_RANGE into .tools/"
  mkdir -p "$TOOLS"
  [ -f "$TOOLS/package.json" ] || echo '{"name":"poort-tools","private":true}' > "$TOOLS/package.json"
  npm install --prefix "$TOOLS" --no-audit --no-fund --loglevel=error "node@$NODE_RANGE" "pnpm@$PNPM_RANGE" >&2 \
    || die "could not install node@$NODE_RANGE / pnpm@$PNPM_RANGE from the npm registry"
fi
export PATH="$TOOLS/node_modules/.bin:$PATH"
# node-gyp must never try to download headers (no network but the registries).
export npm_config_nodedir=/usr

stamp="$ROOT/node_modules/.poort-install-stamp"
if [ ! -f "$stamp" ] || [ "$ROOT/pnpm-lock.yaml" -nt "$stamp" ] || [ "$ROOT/package.json" -nt "$stamp" ]; then
  log "pnpm install"
  if [ -n "${CI:-}" ]; then
    (cd "$ROOT" && pnpm install --frozen-lockfile --reporter=append-only >&2)
  else
    (cd "$ROOT" && pnpm install --reporter=append-only >&2)
  fi
  touch "$stamp"
fi
# The official UBL 2.1 schemas, the SI-UBL / EN 16931 / Peppol rules (compiled to SaxonJS's SEF) and the official test
# files, pinned in libs/standards/artefacts.json: fetched from Maven Central into .cache/standards once.
node "$ROOT/libs/standards/scripts/fetch-standards.mjs"
# The tests decrypt what Poort encrypts for recipients with an independent implementation: pyca/cryptography
# (the machine's Python has it; otherwise it comes from PyPI into .tools/python once).
if ! python3 -c 'import cryptography' 2>/dev/null; then
  if ! PYTHONPATH="$TOOLS/python" python3 -c 'import cryptography' 2>/dev/null; then
    log "installing pyca/cryptography into .tools/python"
    python3 -m pip install --quiet --disable-pip-version-check --target "$TOOLS/python" 'cryptography>=42' >&2 \
      || die "could not install cryptography from PyPI (python3 -m pip)"
  fi
  export PYTHONPATH="$TOOLS/python${PYTHONPATH:+:$PYTHONPATH}"
fi
# Arelle (XBRL validation against an operator's taxonomy package, run by the validation service as its own web
# service), pinned with its dependencies in scripts/arelle-requirements.txt, in a virtual environment of its own in
# .tools/arelle; a run that finds those pins installed only compares them.
ARELLE_PINS="$ROOT/scripts/arelle-requirements.txt"
if ! cmp -s "$ARELLE_PINS" "$TOOLS/arelle/.poort-requirements.txt" || [ ! -x "$TOOLS/arelle/bin/arelleCmdLine" ]; then
  log "installing Arelle (scripts/arelle-requirements.txt) into .tools/arelle"
  python3 -m venv --clear "$TOOLS/arelle" >&2 || die "could not make a Python virtual environment for Arelle (python3 -m venv; on Debian the python3-venv package)"
  "$TOOLS/arelle/bin/python" -m pip install --quiet --disable-pip-version-check --requirement "$ARELLE_PINS" >&2 \
    || die "could not install Arelle from PyPI (scripts/arelle-requirements.txt)"
  cp "$ARELLE_PINS" "$TOOLS/arelle/.poort-requirements.txt"
fi
log "node $(node --version), pnpm $(pnpm --version), $(grep -m1 ^arelle-release "$ARELLE_PINS")"
