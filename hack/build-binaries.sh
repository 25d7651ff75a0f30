#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and etcd from the Go module
# proxy into a cache directory outside the repository, and kwok (fake nodes and pod lifecycles) when it
# builds. Idempotent: binaries already present are not rebuilt, and then nothing is printed but the
# directory on stdout. A build first says on stderr what it builds, how long it takes and where the
# cache is, then prints one progress line per binary; Go's own output goes to $CACHE/build.log, whose
# last lines are printed when a build fails.
#
#   hack/build-binaries.sh [DEST]     DEST defaults to $WEIGHTLIFTER_CACHE/bin/k8s-<version>
#
# kwok is optional: when its build fails the reason is written to DEST/kwok.build-failed, reported on
# stderr, and not retried on later runs (delete that file, or set WEIGHTLIFTER_RETRY_KWOK=1, to retry);
# the local control plane then runs without fake pods.
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod points every staging module at
# ./staging/src/... . A throwaway module requires it and replaces each staging module with its
# published v0.<minor>.<patch> release; the list of names is read from the real go.mod.
set -euo pipefail

K8S_VERSION="${WEIGHTLIFTER_K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${WEIGHTLIFTER_ETCD_VERSION:-v3.6.16}"
KWOK_VERSION="${WEIGHTLIFTER_KWOK_VERSION:-v0.8.0}"
CACHE="${WEIGHTLIFTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weightlifter}"
DEST="${1:-$CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION}"

if ! command -v go >/dev/null 2>&1; then
  echo "weightlifter: the Go toolchain (>= 1.26) is needed to build kube-apiserver and etcd." >&2
  echo "  Install it (the official Go tarball for your platform; any Go >= 1.21 also works, it" >&2
  echo "  fetches the 1.26 toolchain through the Go module proxy; Debian 12's golang-go is 1.19, too" >&2
  echo "  old), or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver, etcd and kubectl." >&2
  exit 3
fi
go_version=$(go env GOVERSION 2>/dev/null || echo unknown)
go_minor=$(echo "$go_version" | sed -n 's/^go1\.\([0-9]*\).*/\1/p')
if [ -z "$go_minor" ] || [ "$go_minor" -lt 21 ]; then
  echo "weightlifter: $go_version cannot build Kubernetes $K8S_VERSION (it needs Go >= 1.26, or any" >&2
  echo "  Go >= 1.21, which fetches 1.26 itself). Install the official Go tarball for your platform," >&2
  echo "  or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver, etcd and kubectl." >&2
  exit 3
fi

mkdir -p "$DEST"
k8s_bins=(kube-apiserver kube-controller-manager kube-scheduler kubectl)
k8s_need=()
for b in "${k8s_bins[@]}"; do
  [ -x "$DEST/$b" ] || k8s_need+=("$b")
done
etcd_need=false
[ -x "$DEST/etcd" ] || etcd_need=true
kwok_need=false
if [ ! -x "$DEST/kwok" ] && { [ ! -e "$DEST/kwok.build-failed" ] || [ -n "${WEIGHTLIFTER_RETRY_KWOK:-}" ]; }; then
  kwok_need=true
fi
if [ ${#k8s_need[@]} -eq 0 ] && [ "$etcd_need" = false ] && [ "$kwok_need" = false ]; then
  echo "$DEST"
  exit 0
fi

work="$CACHE/build"
# Go's own output (pages of `go: downloading ...`) goes here; the terminal gets one line per binary.
log="$CACHE/build.log"
# Binaries are built here and renamed into DEST, so an interrupted build never leaves a truncated
# file that the "already built" check above would accept.
staging="$DEST.partial"
mkdir -p "$work" "$staging"
: >"$log"
# GOTOOLCHAIN=auto: a Go older than the go.mod's `go` line fetches that toolchain (a module, from
# the Go module proxy) instead of failing.
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
ldflags="-s -w"

# The steps below run as `if` conditions, where `set -e` does not apply: every command that can
# fail ends in `|| return 1`.
k8s_mod="$work/k8s-$K8S_VERSION"
k8s_ready=false
prepare_k8s() {
  [ "$k8s_ready" = true ] && return 0
  mkdir -p "$k8s_mod" || return 1
  local gomod
  gomod=$(cd "$k8s_mod" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p') || return 1
  [ -n "$gomod" ] || { echo "go mod download printed no GoMod for k8s.io/kubernetes@$K8S_VERSION"; return 1; }
  local minor="v0.${K8S_VERSION#v1.}"
  {
    echo "module weightlifter.local/k8sbuild"
    echo
    echo "go 1.26.0"
    echo
    echo "require k8s.io/kubernetes $K8S_VERSION"
    echo
    echo "replace ("
    sed -n '/^replace (/,/^)/p' "$gomod" | grep -o 'k8s.io/[a-z0-9-]* =>' | sed 's/ =>//' |
      while read -r name; do echo "	$name => $name $minor"; done
    echo ")"
  } >"$k8s_mod/go.mod" || return 1
  cat >"$k8s_mod/tools.go" <<'GO' || return 1
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$k8s_mod" && go mod tidy -e) || true
  k8s_ready=true
}

# One Kubernetes binary. The first one also fetches the modules, so it takes the longest; the
# others reuse Go's build cache for the packages they share.
build_k8s() {
  local b=$1
  prepare_k8s || return 1
  # Stamp the version the way Kubernetes' own build does, so /version and `kubectl version` report
  # v1.x.y instead of v0.0.0-master.
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local minor_num="${K8S_VERSION#v*.}"; minor_num="${minor_num%%.*}"
  local vflags=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    vflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor_num -X $pkg.gitTreeState=clean"
  done
  (cd "$k8s_mod" && go build -trimpath -ldflags="$ldflags$vflags" -o "$staging/$b" "k8s.io/kubernetes/cmd/$b") || return 1
  mv -f "$staging/$b" "$DEST/$b"
}

build_etcd() {
  local mod="$work/etcd-$ETCD_VERSION"
  mkdir -p "$mod" || return 1
  cat >"$mod/go.mod" <<GOMOD || return 1
module weightlifter.local/etcdbuild

go 1.26.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$mod/main.go" <<'GO' || return 1
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$mod" && go mod tidy && go build -trimpath -ldflags="$ldflags" -o "$staging/etcd" .) || return 1
  mv -f "$staging/etcd" "$DEST/etcd"
}

# kwok has no replace directives, so a throwaway module requiring it is enough.
build_kwok() {
  local mod="$work/kwok-$KWOK_VERSION"
  mkdir -p "$mod" || return 1
  cat >"$mod/go.mod" <<GOMOD || return 1
module weightlifter.local/kwokbuild

go 1.26.0

require sigs.k8s.io/kwok $KWOK_VERSION
GOMOD
  (cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$staging/kwok" sigs.k8s.io/kwok/cmd/kwok) || return 1
  mv -f "$staging/kwok" "$DEST/kwok"
}

elapsed() {
  local s=$(( $(date +%s) - $1 ))
  if [ "$s" -ge 60 ]; then printf '%dm%02ds' $((s / 60)) $((s % 60)); else printf '%ds' "$s"; fi
}

steps=("${k8s_need[@]}")
[ "$etcd_need" = true ] && steps+=(etcd)
[ "$kwok_need" = true ] && steps+=(kwok)
total=${#steps[@]}
{
  echo "weightlifter: building the local control plane once: ${steps[*]}"
  echo "  from the Go module proxy (Kubernetes $K8S_VERSION, etcd $ETCD_VERSION, kwok $KWOK_VERSION)."
  echo "  This takes about ten minutes on 2 cores; later runs reuse the cache."
  echo "  Cache: $CACHE (binaries in $DEST; WEIGHTLIFTER_CACHE moves it)"
  echo "  Go's output: $log"
} >&2

start=$(date +%s)
built=()
i=0
for b in "${steps[@]}"; do
  i=$((i + 1))
  printf '[%d/%d] %s ... ' "$i" "$total" "$b" >&2
  t0=$(date +%s)
  echo "=== [$i/$total] $b" >>"$log"
  case "$b" in
    etcd) step=build_etcd ;;
    kwok) step=build_kwok ;;
    *) step="build_k8s $b" ;;
  esac
  if $step >>"$log" 2>&1; then
    echo "done in $(elapsed "$t0")" >&2
    built+=("$b")
    [ "$b" = kwok ] && rm -f "$DEST/kwok.build-failed"
  elif [ "$b" = kwok ]; then
    echo "failed after $(elapsed "$t0") (optional)" >&2
    { printf 'kwok %s failed to build (full log: %s); its last lines:\n' "$KWOK_VERSION" "$log"; tail -n 40 "$log"; } >"$DEST/kwok.build-failed"
    echo "weightlifter: kwok $KWOK_VERSION did not build (optional; pods will not run): see $DEST/kwok.build-failed" >&2
  else
    echo "failed after $(elapsed "$t0")" >&2
    echo "weightlifter: building $b failed; the last lines of $log:" >&2
    tail -n 30 "$log" | sed 's/^/  /' >&2
    exit 1
  fi
done
echo "weightlifter: built ${built[*]:-nothing} in $(elapsed "$start") into $DEST" >&2
echo "$DEST"
