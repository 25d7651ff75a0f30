#!/usr/bin/env bash
# Builds hack/health-checker (what kstatus, Flux's healthCheckExprs and Argo CD's health Lua make of
# a Canary, computed by their own code: sigs.k8s.io/cli-utils, github.com/fluxcd/pkg/runtime and
# github.com/yuin/gopher-lua) from the Go module proxy into the cache next to the Kubernetes
# binaries. The binary's name carries a hash of the checker's sources, so a change to them builds a
# new one and test/e2e/health-checker.ts finds it by the same hash.
#
#   hack/build-health-checker.sh          builds when needed; prints the binary's path on stdout
#   hack/build-health-checker.sh --path   only prints the path the binary is (or would be) at
#
# Idempotent: when the binary exists nothing is printed but its path. A build first says on stderr
# what it builds, how long it takes and where the cache is, then one line for the binary; Go's own
# output goes to $CACHE/health-checker.log, whose last lines are printed when the build fails.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
src="$here/health-checker"
CACHE="${WEIGHTLIFTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weightlifter}"

# The same bytes, in the same order, as test/e2e/health-checker.ts hashes: go.mod, go.sum, then
# the .go files sorted by name.
hash=$(cd "$src" && cat go.mod go.sum $(ls *.go | LC_ALL=C sort) | sha256sum | cut -c1-16)
bin="$CACHE/bin/health-checker-$hash"
if [ "${1:-}" = "--path" ] || [ -x "$bin" ]; then
  echo "$bin"
  exit 0
fi

if ! command -v go >/dev/null 2>&1; then
  echo "weightlifter: the Go toolchain (>= 1.26) is needed to build hack/health-checker." >&2
  echo "  Install the official Go tarball for your platform, then run: bash hack/build-health-checker.sh" >&2
  exit 3
fi

log="$CACHE/health-checker.log"
mkdir -p "$CACHE/bin"
{
  echo "weightlifter: building the GitOps health checker once: health-checker"
  echo "  from the Go module proxy (sigs.k8s.io/cli-utils, github.com/fluxcd/pkg/runtime,"
  echo "  github.com/yuin/gopher-lua; versions in hack/health-checker/go.mod)."
  echo "  This takes about three minutes on 2 cores (longer when the modules are not cached yet);"
  echo "  later runs reuse the cache."
  echo "  Cache: $CACHE (binary: $bin; WEIGHTLIFTER_CACHE moves it)"
  echo "  Go's output: $log"
} >&2

start=$(date +%s)
printf '[1/1] health-checker ... ' >&2
# -mod=readonly: go.sum pins every module. The versions in go.mod build with Go 1.26; as in
# build-binaries.sh, GOTOOLCHAIN=auto lets an older Go (>= 1.21) fetch that toolchain.
if (cd "$src" && CGO_ENABLED=0 GOFLAGS="-mod=readonly -buildvcs=false" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}" \
  go build -trimpath -ldflags="-s -w" -o "$bin.partial" .) >"$log" 2>&1; then
  mv -f "$bin.partial" "$bin"
  s=$(($(date +%s) - start))
  echo "done in $((s / 60))m$(printf '%02d' $((s % 60)))s" >&2
else
  echo "failed" >&2
  echo "weightlifter: building hack/health-checker failed; the last lines of $log:" >&2
  tail -n 30 "$log" | sed 's/^/  /' >&2
  exit 1
fi
echo "$bin"
