#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kube-scheduler, kubectl and etcd from the Go module
# proxy into a cache directory outside the repository, and kwok (fake nodes and pod lifecycles) when it
# builds. Idempotent: binaries already present are not rebuilt. Prints the directory on stdout.
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
# Binaries are built here and renamed into DEST, so an interrupted build never leaves a truncated
# file that the "already built" check above would accept.
staging="$DEST.partial"
mkdir -p "$work" "$staging"
# GOTOOLCHAIN=auto: a Go older than the go.mod's `go` line fetches that toolchain (a module, from
# the Go module proxy) instead of failing.
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN="${GOTOOLCHAIN:-auto}"
ldflags="-s -w"

build_k8s() {
  local mod="$work/k8s-$K8S_VERSION"
  mkdir -p "$mod"
  local gomod
  gomod=$(cd "$mod" && go mod download -json "k8s.io/kubernetes@$K8S_VERSION" |
    sed -n 's/^[[:space:]]*"GoMod": "\(.*\)",$/\1/p')
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
  } >"$mod/go.mod"
  cat >"$mod/tools.go" <<'GO'
//go:build tools

package tools

import (
	_ "k8s.io/kubernetes/cmd/kube-apiserver"
	_ "k8s.io/kubernetes/cmd/kube-controller-manager"
	_ "k8s.io/kubernetes/cmd/kube-scheduler"
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$mod" && go mod tidy -e >/dev/null 2>&1 || true)
  local pkgs=()
  for b in "${k8s_need[@]}"; do pkgs+=("k8s.io/kubernetes/cmd/$b"); done
  # Stamp the version the way Kubernetes' own build does, so /version and `kubectl version` report
  # v1.x.y instead of v0.0.0-master.
  local major="${K8S_VERSION#v}"; major="${major%%.*}"
  local minor_num="${K8S_VERSION#v*.}"; minor_num="${minor_num%%.*}"
  local vflags=""
  for pkg in k8s.io/client-go/pkg/version k8s.io/component-base/version; do
    vflags+=" -X $pkg.gitVersion=$K8S_VERSION -X $pkg.gitMajor=$major -X $pkg.gitMinor=$minor_num -X $pkg.gitTreeState=clean"
  done
  (cd "$mod" && go build -trimpath -ldflags="$ldflags$vflags" -o "$staging/" "${pkgs[@]}")
  for b in "${k8s_need[@]}"; do mv -f "$staging/$b" "$DEST/$b"; done
}

build_etcd() {
  local mod="$work/etcd-$ETCD_VERSION"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module weightlifter.local/etcdbuild

go 1.26.0

require go.etcd.io/etcd/server/v3 $ETCD_VERSION
GOMOD
  cat >"$mod/main.go" <<'GO'
package main

import (
	"os"

	"go.etcd.io/etcd/server/v3/etcdmain"
)

func main() { etcdmain.Main(os.Args) }
GO
  (cd "$mod" && go mod tidy >/dev/null && go build -trimpath -ldflags="$ldflags" -o "$staging/etcd" .)
  mv -f "$staging/etcd" "$DEST/etcd"
}

# kwok has no replace directives, so a throwaway module requiring it is enough.
build_kwok() {
  local mod="$work/kwok-$KWOK_VERSION"
  mkdir -p "$mod"
  cat >"$mod/go.mod" <<GOMOD
module weightlifter.local/kwokbuild

go 1.26.0

require sigs.k8s.io/kwok $KWOK_VERSION
GOMOD
  (cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$staging/kwok" sigs.k8s.io/kwok/cmd/kwok) &&
    mv -f "$staging/kwok" "$DEST/kwok"
}

start=$(date +%s)
built=()
if [ ${#k8s_need[@]} -gt 0 ]; then build_k8s; built+=("${k8s_need[@]}"); fi
if [ "$etcd_need" = true ]; then build_etcd; built+=(etcd); fi
if [ "$kwok_need" = true ]; then
  if kwok_log=$(build_kwok 2>&1); then
    rm -f "$DEST/kwok.build-failed"
    built+=(kwok)
  else
    printf 'kwok %s failed to build:\n%s\n' "$KWOK_VERSION" "$kwok_log" >"$DEST/kwok.build-failed"
    echo "weightlifter: kwok $KWOK_VERSION did not build (optional; pods will not run): see $DEST/kwok.build-failed" >&2
  fi
fi
echo "weightlifter: built ${built[*]:-nothing} in $(( $(date +%s) - start ))s into $DEST" >&2
echo "$DEST"
