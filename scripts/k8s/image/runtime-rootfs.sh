#!/usr/bin/env bash
# Lays out the image's runtime: the Node binary at /usr/local/bin/node, exactly the shared libraries it loads (from
# ldd: glibc, libstdc++, libgcc_s, and the loader), the accounts (uid/gid 10001 'poort'), name service settings and
# /tmp. No shell, no package manager, no CA bundle: Node carries its own CA store, ICU and time zone data.
# The same as the Containerfile's runtime stage (distroless cc-debian12 + the official image's node binary).
#
#   runtime-rootfs.sh <node binary> <out dir>      <out dir> is replaced
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
[ "$#" -eq 2 ] || { echo "usage: $0 <node binary> <out dir>" >&2; exit 2; }
node_bin="$(readlink -f "$1")" out="$2"
die() { printf '[k8s] ERROR: %s\n' "$*" >&2; exit 1; }
[ -x "$node_bin" ] || die "no Node binary at $1"

rm -rf "$out"
mkdir -p "$out/usr/local/bin" "$out/tmp"
chmod 1777 "$out/tmp"
cp -l "$node_bin" "$out/usr/local/bin/node" 2>/dev/null || cp "$node_bin" "$out/usr/local/bin/node"
cp -r "$HERE/rootfs/." "$out/"

# Each library at the path the loader looks for it (symlinks resolved), the loader itself at the binary's interpreter path.
libs="$(ldd "$node_bin" | awk '$2 == "=>" && $3 ~ /^\// { print $3 } $1 ~ /^\// { print $1 }')"
[ -n "$libs" ] || die "ldd found no shared libraries for $node_bin"
if ldd "$node_bin" | grep -q 'not found'; then die "a library Node needs is missing: $(ldd "$node_bin" | grep 'not found')"; fi
for lib in $libs; do
  mkdir -p "$out$(dirname "$lib")"
  cp -L "$lib" "$out$lib"
done
