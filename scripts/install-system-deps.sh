#!/usr/bin/env bash
# Installs what the test suites need from Debian's packages, when missing: PostgreSQL (the
# PostgreSQL and Neon-driver runs) and Chromium (the browser journey). Needs root and apt-get;
# elsewhere it says what to install and leaves the machine alone.
set -euo pipefail

missing=()
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || command -v initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/bin/chromium ] || missing+=(chromium)
# Fonts with Cyrillic, so screenshots show Russian text rather than boxes.
[ -d /usr/share/fonts/truetype/dejavu ] || missing+=(fonts-dejavu-core)
[ ${#missing[@]} -eq 0 ] && exit 0

if [ "$(id -u)" != "0" ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "!! missing system packages: ${missing[*]} (install them with your package manager to run every suite)" >&2
  exit 0
fi
echo "installing system packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian starts a cluster on install; the tests run their own on a free loopback port.
service postgresql stop >/dev/null 2>&1 || true
