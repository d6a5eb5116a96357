#!/usr/bin/env bash
# Lays out the image's /app from a built workspace: every service, libs/smoke-test and the libs they depend on in
# production, each as package.json + dist/src (compiled JavaScript and its source maps, no declarations) + its
# runtime files (message-state's migrations, wus' standards); Poort's default config; the official standards
# artefacts (.cache/standards, at the path @poort/standards finds by default); and the production
# node_modules, installed by pnpm itself offline from its store against the lockfile (relative symlinks, no dev
# dependencies, no lifecycle scripts beyond those the workspace allows).
# Used by image.sh and by the Containerfile's build stage, so that both images hold the same /app.
#
#   stage-app.sh <out dir>      after 'pnpm run build'; <out dir> is replaced
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
[ "$#" -eq 1 ] || { echo "usage: $0 <out dir>" >&2; exit 2; }
out="$1"
log() { printf '[k8s] %s\n' "$*" >&2; }
die() { printf '[k8s] ERROR: %s\n' "$*" >&2; exit 1; }
command -v pnpm >/dev/null || die "pnpm is not on PATH"

cd "$ROOT"
# The roots and, through pnpm's own graph, the workspace packages they need in production (devDependencies not followed).
filters=(--filter-prod '{services/*}...')
[ -f libs/smoke-test/package.json ] && filters+=(--filter-prod '{libs/smoke-test}...')
mapfile -t packages < <(pnpm ls "${filters[@]}" --depth -1 --parseable | sed "s|^$ROOT/||" | sort -u)
[ "${#packages[@]}" -gt 0 ] || die "pnpm found no service packages"

rm -rf "$out"
mkdir -p "$out"
cp package.json pnpm-lock.yaml pnpm-workspace.yaml "$out/"
# The patches pnpm-workspace.yaml names (patchedDependencies): the install below applies them.
cp -r patches "$out/patches"
[ -f .npmrc ] && cp .npmrc "$out/"
cp -r config "$out/config"
# The official standards the services check at start (libs/standards, fetched by scripts/bootstrap.sh): the schemas,
# the rule sets' XSLT (their SEF stamps are checked against it) and SEF; not the downloaded jars nor the test files.
standards="${POORT_STANDARDS_DIR:-$ROOT/.cache/standards}"
[ -f "$standards/ubl-2.1.xsd" ] || die "$standards holds no official standards: run scripts/bootstrap.sh (or libs/standards/scripts/fetch-standards.mjs) first"
mkdir -p "$out/.cache/standards"
tar -C "$standards" -chf - --exclude=./jars --exclude='./tests-*' --exclude='*.part' . | tar -C "$out/.cache/standards" -xf -

for pkg in "${packages[@]}"; do
  [ -d "$pkg/dist/src" ] || die "$pkg is not built: run 'pnpm run build' first"
  mkdir -p "$out/$pkg"
  # Everything but sources, tests, benchmarks, build state and type declarations.
  tar -C "$pkg" -cf - \
    --exclude=./src --exclude=./test --exclude=./bench --exclude=./node_modules --exclude='./tsconfig*.json' \
    --exclude='./*.md' --exclude=./dist/test --exclude='*.tsbuildinfo' --exclude='*.d.ts' --exclude='*.d.ts.map' . \
    | tar -C "$out/$pkg" -xf -
  # tsc -b leaves the output of deleted sources behind: only what today's sources compile to goes in.
  while IFS= read -r js; do
    [ -f "$pkg/${js%.js}.ts" ] || rm -f "$out/$pkg/dist/$js" "$out/$pkg/dist/$js.map"
  done < <(cd "$out/$pkg/dist" && find src -name '*.js')
  find "$out/$pkg/dist" -type d -empty -delete
done

log "installing production dependencies of ${#packages[@]} packages (offline, from the pnpm store)"
(cd "$out" && pnpm install --prod --offline --frozen-lockfile --reporter=silent) \
  || die "pnpm could not install offline: run 'pnpm install' in $ROOT first, so that the store holds every package"

# pnpm's install state (it names this directory) and the bin shims (shell scripts, and there is no shell).
rm -f "$out/node_modules/.modules.yaml" "$out/node_modules/.pnpm-workspace-state-v1.json" "$out/node_modules/.pnpm/lock.yaml"
find "$out" -type d -name .bin -path '*/node_modules/.bin' -prune -exec rm -rf {} +
