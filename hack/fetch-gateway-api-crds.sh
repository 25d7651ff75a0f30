#!/usr/bin/env bash
# Puts the Gateway API standard-channel CRDs (HTTPRoute, Gateway, GatewayClass, ...) of the Go module
# sigs.k8s.io/gateway-api into the cache beside the Kubernetes binaries, for local worlds whose mesh
# serves Gateway API (startWorld({ meshApis: ['gatewayapi'] })). They are never copied into the
# repository. Idempotent: when the cache holds them, nothing is printed but the directory on stdout.
#
#   hack/fetch-gateway-api-crds.sh [--cached]
#
# The directory is $WEIGHTLIFTER_CACHE/crds/gateway-api-<version>-standard. With --cached nothing
# is fetched: the directory is printed when it is complete, else the script exits 4 naming the
# command that fills it (the local world runs it this way, so a missing cache fails loudly).
set -euo pipefail

VERSION="${WEIGHTLIFTER_GATEWAY_API_VERSION:-v1.6.3}"
CACHE="${WEIGHTLIFTER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/weightlifter}"
DEST="$CACHE/crds/gateway-api-$VERSION-standard"
# The one CRD every Gateway API world needs; its presence marks a complete directory (it is
# renamed into place whole).
MARK="gateway.networking.k8s.io_httproutes.yaml"

if [ -f "$DEST/$MARK" ]; then
  echo "$DEST"
  exit 0
fi
if [ "${1:-}" = "--cached" ]; then
  echo "weightlifter: the Gateway API $VERSION CRDs are not in $DEST;" >&2
  echo "  fetch them with: bash hack/fetch-gateway-api-crds.sh (bash hack/setup.sh runs it)" >&2
  exit 4
fi
if ! command -v go >/dev/null 2>&1; then
  echo "weightlifter: the Go toolchain is needed to fetch the Gateway API CRDs (the Go module" >&2
  echo "  sigs.k8s.io/gateway-api@$VERSION); install the official Go tarball for your platform." >&2
  exit 3
fi

# Outside any module, so no go.mod around the caller is consulted or changed.
json=$(cd / && go mod download -json "sigs.k8s.io/gateway-api@$VERSION")
dir=$(echo "$json" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
src="$dir/config/crd/standard"
if [ -z "$dir" ] || [ ! -f "$src/$MARK" ]; then
  echo "weightlifter: go mod download gave no $MARK for sigs.k8s.io/gateway-api@$VERSION" >&2
  echo "  (module directory: ${dir:-none}); its output was:" >&2
  echo "$json" | sed 's/^/  /' >&2
  exit 1
fi

staging="$DEST.partial"
rm -rf "$staging"
mkdir -p "$staging"
# The module cache is read-only; the copies are ordinary files so the cache can be cleaned.
for f in "$src"/*.yaml; do
  install -m 0644 "$f" "$staging/"
done
rm -rf "$DEST"
mv "$staging" "$DEST"
echo "weightlifter: Gateway API $VERSION standard-channel CRDs cached in $DEST" >&2
echo "$DEST"
