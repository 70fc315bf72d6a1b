#!/usr/bin/env bash
# Debian packages the operations tests need: pgBackRest (backup/restore test), Prometheus
# (promtool, for the alert rule unit tests) and Chromium (the admin page's browser test, driven by
# Playwright at /usr/bin/chromium, or at $GYMGENIUS_CHROMIUM when that names a browser already
# installed, e.g. Google Chrome on a CI runner). Idempotent: installs only what is missing.
set -euo pipefail
PACKAGES=(pgbackrest prometheus)
[ -x "${GYMGENIUS_CHROMIUM:-/usr/bin/chromium}" ] || PACKAGES+=(chromium)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p")
done
[ ${#missing[@]} -eq 0 ] && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && SUDO="sudo"
$SUDO apt-get update -qq
# prometheus' postinst would start a server on :9090; policy-rc.d keeps services from starting.
$SUDO env DEBIAN_FRONTEND=noninteractive RUNLEVEL=1 apt-get install -y -qq --no-install-recommends "${missing[@]}"
