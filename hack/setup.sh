#!/usr/bin/env bash
# Everything the tests, the demo and the benchmark need beyond npm packages, installed from the
# package registries this project may use. Idempotent and quiet when there is nothing to do.
#   - Debian packages: prometheus (real Prometheus for metrics), openssl (local PKI), chromium
#     (the dashboard's browser tests drive it headless through playwright-core; no browser is
#     ever downloaded any other way)
#   - kube-apiserver, kube-controller-manager, kubectl, etcd (and kwok when it builds), built once
#     from the Go module proxy into ~/.cache/weightlifter unless KUBEBUILDER_ASSETS points at them.
#   - the Gateway API standard-channel CRDs (Go module sigs.k8s.io/gateway-api), fetched once into
#     the same cache for worlds whose mesh serves Gateway API.
#   - hack/health-checker (kstatus, Flux's healthCheckExprs and Argo CD's health Lua, run by those
#     projects' own Go code), built once into the same cache by hack/build-health-checker.sh.
#   - Flagger v1.44.0 and its CRDs (Go module github.com/fluxcd/flagger), built once into the same
#     cache: the bench's peer (`npm run bench -- --peer flagger`) and its smoke test. It says what it
#     builds and how long that takes (about three minutes) before it starts.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)

missing=()
command -v prometheus >/dev/null 2>&1 || [ -x /usr/bin/prometheus ] || missing+=(prometheus)
command -v openssl >/dev/null 2>&1 || missing+=(openssl)
[ -x /usr/bin/chromium ] || missing+=(chromium)
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  if [ "$(id -u)" -ne 0 ]; then
    if command -v sudo >/dev/null 2>&1; then sudo="sudo"; else
      echo "weightlifter: missing Debian packages: ${missing[*]}" >&2
      echo "  install them with: apt-get update && apt-get install -y --no-install-recommends ${missing[*]}" >&2
      exit 3
    fi
  fi
  echo "weightlifter: installing Debian packages: ${missing[*]} (apt-get; chromium takes about a minute)" >&2
  $sudo apt-get update -qq >/dev/null
  $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

if [ -n "${KUBEBUILDER_ASSETS:-}" ] && [ -x "$KUBEBUILDER_ASSETS/kube-apiserver" ] && [ -x "$KUBEBUILDER_ASSETS/etcd" ]; then
  echo "weightlifter: using binaries from KUBEBUILDER_ASSETS=$KUBEBUILDER_ASSETS" >&2
else
  "$here/build-binaries.sh" >/dev/null
fi

"$here/fetch-gateway-api-crds.sh" >/dev/null
"$here/build-health-checker.sh" >/dev/null
"$here/build-flagger.sh" >/dev/null
