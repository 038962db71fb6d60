#!/usr/bin/env bash
# Installs what vMiner's demo and tests need on a fresh Debian/Ubuntu machine, then the node modules.
#   - Go + the govmomi source (the vCenter simulator the tests and the demo run)
#   - pyvmomi (the independent client the tests and the benchmark compare against)
#   - dbus + gnome-keyring (a real OS keychain for the credential-vault tests)
#   - openssl (test certificates)
#   - chromium (the browser the UI end-to-end tests drive; Playwright downloads no browser)
#   - postgresql (a real server the PostgreSQL-source tests start on loopback; under root they run it
#     as the package's `postgres` user via runuser, see src/testing/postgres.ts)
# Electron's binary cannot be downloaded everywhere; it is only needed for `npm start`.
set -euo pipefail
cd "$(dirname "$0")/.."

PKGS=(golang-go golang-github-vmware-govmomi-dev python3-pyvmomi dbus gnome-keyring libsecret-1-0 openssl chromium postgresql)
missing=()
for p in "${PKGS[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -gt 0 ]; then
  SUDO=""
  if [ "$(id -u)" -ne 0 ]; then SUDO="sudo"; fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "setup: please install the equivalents of: ${missing[*]}" >&2
    exit 1
  fi
  echo "setup: installing ${missing[*]}"
  $SUDO apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq "${missing[@]}" >/dev/null
fi

if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "setup: installing node modules (better-sqlite3 compiles from source: ~2-3 min)"
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
fi
