#!/usr/bin/env bash
# Builds kube-apiserver, kube-controller-manager, kubectl and etcd from the Go module proxy into a
# cache directory outside the repository. Idempotent: binaries already present are not rebuilt.
#
#   hack/build-binaries.sh [DEST]     DEST defaults to $WEIGHTLIFTER_CACHE/bin/k8s-<version>
#
# k8s.io/kubernetes cannot be `go install`ed: its go.mod points every staging module at
# ./staging/src/... . A throwaway module requires it and replaces each staging module with its
# published v0.<minor>.<patch> release; the list of names is read from the real go.mod.
set -euo pipefail

K8S_VERSION="${WEIGHTLIFTER_K8S_VERSION:-v1.37.2}"
ETCD_VERSION="${WEIGHTLIFTER_ETCD_VERSION:-v3.6.16}"
CACHE="${WEIGHTLIFTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weightlifter}"
DEST="${1:-$CACHE/bin/k8s-$K8S_VERSION-etcd-$ETCD_VERSION}"

if ! command -v go >/dev/null 2>&1; then
  echo "weightlifter: the Go toolchain (>= 1.26) is needed to build kube-apiserver and etcd." >&2
  echo "  Install it (Debian: apt-get install golang-go, or the go tarball for your platform)," >&2
  echo "  or set KUBEBUILDER_ASSETS to a directory holding kube-apiserver, etcd and kubectl." >&2
  exit 3
fi

mkdir -p "$DEST"
need=()
for b in kube-apiserver kube-controller-manager kubectl etcd; do
  [ -x "$DEST/$b" ] || need+=("$b")
done
if [ ${#need[@]} -eq 0 ]; then
  echo "$DEST"
  exit 0
fi

work="$CACHE/build"
mkdir -p "$work"
export CGO_ENABLED=0 GOFLAGS="${GOFLAGS:-} -mod=mod" GOTOOLCHAIN=local
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
	_ "k8s.io/kubernetes/cmd/kubectl"
)
GO
  (cd "$mod" && go mod tidy -e >/dev/null 2>&1 || true)
  (cd "$mod" && go build -trimpath -ldflags="$ldflags" -o "$DEST/" \
    k8s.io/kubernetes/cmd/kube-apiserver \
    k8s.io/kubernetes/cmd/kube-controller-manager \
    k8s.io/kubernetes/cmd/kubectl)
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
  (cd "$mod" && go mod tidy >/dev/null && go build -trimpath -ldflags="$ldflags" -o "$DEST/etcd" .)
}

start=$(date +%s)
for b in "${need[@]}"; do
  case "$b" in
    etcd) build_etcd ;;
    *) [ -x "$DEST/kube-apiserver" ] && [ -x "$DEST/kube-controller-manager" ] && [ -x "$DEST/kubectl" ] || build_k8s ;;
  esac
done
echo "weightlifter: built ${need[*]} in $(( $(date +%s) - start ))s into $DEST" >&2
echo "$DEST"
