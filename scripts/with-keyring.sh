#!/usr/bin/env bash
# Run a command with a throwaway, unlocked Secret Service (gnome-keyring) on a
# private D-Bus session bus, so the OS-keychain code paths can be tested on
# headless Linux (CI containers, servers, running as root).
#
#   scripts/with-keyring.sh npx vitest run src/main/engine/secrets
#
# - The keyring lives in a fresh temp dir (XDG_DATA_HOME / XDG_RUNTIME_DIR /
#   HOME when needed) that is removed afterwards: the caller's real keyring is
#   never touched.
# - If dbus-run-session or gnome-keyring-daemon is missing, or the daemon does
#   not come up, a warning goes to stderr and CMD runs anyway without a
#   keychain (tests that need one then report themselves as skipped).
# - The exit status is CMD's.
#
# Debian/Ubuntu packages: dbus gnome-keyring libsecret-1-0 (dbus-x11 not needed).
set -u

warn() { printf 'with-keyring: %s\n' "$*" >&2; }

if [ "$#" -eq 0 ]; then
  echo "usage: $0 CMD [ARGS...]" >&2
  exit 2
fi

missing=""
command -v dbus-run-session >/dev/null 2>&1 || missing="$missing dbus-run-session(dbus)"
command -v gnome-keyring-daemon >/dev/null 2>&1 || missing="$missing gnome-keyring-daemon(gnome-keyring)"
if [ -n "$missing" ]; then
  warn "WARNING: missing:$missing - running without a keychain; keychain tests will be skipped."
  warn "         install e.g. 'apt-get install dbus gnome-keyring libsecret-1-0' to enable them."
  exec "$@"
fi

tmp="$(mktemp -d "${TMPDIR:-/tmp}/vminer-keyring.XXXXXX")" || {
  warn "WARNING: cannot create a temp dir - running without a keychain."
  exec "$@"
}
chmod 700 "$tmp"
cleanup() { rm -rf "$tmp"; }
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

mkdir -p "$tmp/data" "$tmp/run" "$tmp/config"
chmod 700 "$tmp/data" "$tmp/run" "$tmp/config"
export XDG_DATA_HOME="$tmp/data"
export XDG_RUNTIME_DIR="$tmp/run"
export XDG_CONFIG_HOME="$tmp/config"
# gnome-keyring also wants a writable HOME (e.g. HOME=/nonexistent for some CI users).
if [ -z "${HOME:-}" ] || [ ! -d "$HOME" ] || [ ! -w "$HOME" ]; then
  mkdir -p "$tmp/home"
  export HOME="$tmp/home"
fi
# Do not talk to a pre-existing session bus / keyring of the caller.
unset DBUS_SESSION_BUS_ADDRESS GNOME_KEYRING_CONTROL SSH_AUTH_SOCK 2>/dev/null || true

# Runs inside the private bus. $1 = throwaway keyring password, rest = CMD.
# shellcheck disable=SC2016
inner='
  pw="$1"; shift
  warn() { printf "with-keyring: %s\n" "$*" >&2; }
  if ! printf "%s\n" "$pw" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>"$XDG_RUNTIME_DIR/gkd.log"; then
    warn "WARNING: gnome-keyring-daemon failed to start - running without a keychain:"
    sed "s/^/with-keyring:   /" "$XDG_RUNTIME_DIR/gkd.log" >&2
    exec "$@"
  fi
  # Wait (max ~5 s) until the Secret Service name is owned on the bus.
  if command -v dbus-send >/dev/null 2>&1; then
    i=0
    until dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus \
        org.freedesktop.DBus.NameHasOwner string:org.freedesktop.secrets 2>/dev/null | grep -q "boolean true"; do
      i=$((i + 1))
      if [ "$i" -ge 50 ]; then
        warn "WARNING: org.freedesktop.secrets did not appear on the session bus - keychain tests will be skipped."
        break
      fi
      sleep 0.1
    done
  fi
  "$@"
'

# Random throwaway password (the keyring is deleted afterwards anyway).
pw="vminer-test-$$-$(od -An -N8 -tx1 /dev/urandom 2>/dev/null | tr -d ' \n')"

dbus-run-session -- sh -c "$inner" with-keyring-inner "$pw" "$@"
rc=$?
exit "$rc"
