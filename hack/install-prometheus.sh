#!/usr/bin/env bash
# Installs the Debian `prometheus` package (the real Prometheus the local world scrapes the mesh
# emulator with) when /usr/bin/prometheus is missing. Idempotent; --no-install-recommends keeps
# node-exporter and friends out. Needs root (or sudo).
set -euo pipefail
if [ -x /usr/bin/prometheus ]; then
  exit 0
fi
sudo=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    sudo="sudo"
  else
    echo "weightlifter: /usr/bin/prometheus is missing and this user cannot install it." >&2
    echo "  run as root: apt-get update && apt-get install -y --no-install-recommends prometheus" >&2
    exit 3
  fi
fi
echo "weightlifter: installing the Debian prometheus package" >&2
$sudo apt-get update -qq >/dev/null
# The package's postinst tries to start the service; there is no init system in CI containers,
# and we never want a system-wide Prometheus running: policy-rc.d 101 forbids service starts.
policy=/usr/sbin/policy-rc.d
created_policy=0
if [ ! -e "$policy" ]; then
  printf '#!/bin/sh\nexit 101\n' | $sudo tee "$policy" >/dev/null
  $sudo chmod +x "$policy"
  created_policy=1
fi
status=0
DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends prometheus >/dev/null || status=$?
if [ "$created_policy" -eq 1 ]; then $sudo rm -f "$policy"; fi
if [ "$status" -ne 0 ]; then
  echo "weightlifter: apt-get install prometheus failed ($status)" >&2
  exit "$status"
fi
/usr/bin/prometheus --version >/dev/null
