#!/usr/bin/env bash
# Builds Flagger (the bench's peer, `npm run bench -- --peer flagger`) from the Go module proxy into
# the cache beside the Kubernetes binaries, and copies its CRDs out of the same module. Idempotent:
# when both are present nothing is built and only the directory is printed on stdout. A build first
# says on stderr what it builds, how long it takes and where, then prints one line when done; Go's
# own output goes to $CACHE/build-flagger.log, whose last lines are printed when the build fails.
#
#   hack/build-flagger.sh [DEST]     DEST defaults to $WEIGHTLIFTER_CACHE/bin/flagger-<version>
#
# DEST/flagger is the binary, DEST/crd.yaml its CustomResourceDefinitions.
set -euo pipefail

FLAGGER_VERSION="${WEIGHTLIFTER_FLAGGER_VERSION:-v1.44.0}"
CACHE="${WEIGHTLIFTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weightlifter}"
DEST="${1:-$CACHE/bin/flagger-$FLAGGER_VERSION}"
MODULE=github.com/fluxcd/flagger

if [ -x "$DEST/flagger" ] && [ -s "$DEST/crd.yaml" ]; then
  echo "$DEST"
  exit 0
fi
if ! command -v go >/dev/null 2>&1; then
  echo "weightlifter: the Go toolchain is needed to build Flagger $FLAGGER_VERSION (the bench's peer)." >&2
  exit 3
fi

log="$CACHE/build-flagger.log"
staging="$DEST.partial"
mkdir -p "$DEST" "$staging"
: >"$log"
{
  echo "weightlifter: building Flagger $FLAGGER_VERSION once (go install $MODULE/cmd/flagger@$FLAGGER_VERSION)"
  echo "  from the Go module proxy, with its CRDs from the same module."
  echo "  This takes about three minutes on 2 cores; later runs reuse the cache."
  echo "  Cache: $DEST (WEIGHTLIFTER_CACHE moves it); Go's output: $log"
} >&2
start=$(date +%s)
fail() {
  echo "weightlifter: building Flagger $FLAGGER_VERSION failed ($1); the last lines of $log:" >&2
  tail -n 30 "$log" | sed 's/^/  /' >&2
  exit 1
}
export CGO_ENABLED=0 GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
# GOBIN=staging, then a rename: an interrupted build never leaves a truncated binary in DEST.
GOBIN="$staging" go install -trimpath -ldflags="-s -w" "$MODULE/cmd/flagger@$FLAGGER_VERSION" >>"$log" 2>&1 ||
  fail "go install"
# The module's directory in Go's module cache holds the same CRDs its release ships.
dir=$(cd "$staging" && GOFLAGS=-mod=mod go mod download -json "$MODULE@$FLAGGER_VERSION" 2>>"$log" |
  sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p') || fail "go mod download"
crd=""
for c in artifacts/flagger/crd.yaml kustomize/base/flagger/crd.yaml charts/flagger/crds/crd.yaml; do
  if [ -n "$dir" ] && [ -s "$dir/$c" ]; then crd="$dir/$c"; break; fi
done
[ -n "$crd" ] || { echo "no crd.yaml under '$dir'" >>"$log"; fail "CRDs not found"; }
cp "$crd" "$DEST/crd.yaml"
mv -f "$staging/flagger" "$DEST/flagger"
rmdir "$staging" 2>/dev/null || true
s=$(( $(date +%s) - start ))
printf 'weightlifter: built Flagger %s in %dm%02ds into %s\n' "$FLAGGER_VERSION" $((s / 60)) $((s % 60)) "$DEST" >&2
echo "$DEST"
