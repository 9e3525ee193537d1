#!/usr/bin/env bash
# Install the system libraries DrivePipe links (only those missing). Debian/Ubuntu.
set -euo pipefail
need=()
for pkg in libopenblas-dev libjpeg-dev libpng-dev pkg-config; do
  dpkg -s "$pkg" >/dev/null 2>&1 || need+=("$pkg")
done
if [ ${#need[@]} -gt 0 ]; then
  echo "installing: ${need[*]}" >&2
  SUDO=""; [ "$(id -u)" -ne 0 ] && SUDO="sudo"
  $SUDO apt-get update -qq >&2
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${need[@]}" >&2
fi
