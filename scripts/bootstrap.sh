#!/usr/bin/env bash
# Set up everything Guichet needs on a fresh Debian 12 / Ubuntu 24.04 machine:
# system packages (apt-get, when root or sudo allows), the virtualenv in .venv with the
# locked Python packages, and the compiled translation catalogs.
# Usage: scripts/bootstrap.sh [demo|test]   (idempotent; fast when nothing changed)
set -euo pipefail
cd "$(dirname "$0")/.."
purpose=${1:-test}

# Packages the kiosk needs at run time, and those the tests need on top.
RUNTIME_PKGS=(python3-venv swig libpcsclite-dev pcscd libegl1 libgl1 libxkbcommon0 libxkbcommon-x11-0
  libfontconfig1 libdbus-1-3 libglib2.0-0 libxcb-cursor0 fonts-noto-core)
TEST_PKGS=(vsmartcard-vpcd cups cups-client cups-bsd printer-driver-cups-pdf poppler-utils zbar-tools)
pkgs=("${RUNTIME_PKGS[@]}")
[ "$purpose" = test ] && pkgs+=("${TEST_PKGS[@]}")

missing=()
for p in "${pkgs[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then SUDO=""; elif command -v sudo >/dev/null && sudo -n true 2>/dev/null; then SUDO="sudo"; else
    echo "guichet: these system packages are missing: ${missing[*]}" >&2
    echo "guichet: install them as root:  apt-get install ${missing[*]}" >&2
    exit 1
  fi
  echo "guichet: installing system packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  $SUDO apt-get update -qq
  $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
fi

PY=${PYTHON:-python3}
"$PY" -c 'import sys; sys.exit(sys.version_info < (3, 11))' || { echo "guichet: Python 3.11 or newer is needed" >&2; exit 1; }

stamp=.venv/.guichet-lock
if [ ! -x .venv/bin/python ] || ! cmp -s requirements.lock "$stamp"; then
  echo "guichet: creating .venv with the locked packages"
  "$PY" -m venv .venv
  pipq() { .venv/bin/python -m pip "$@" 2> >(grep -v -e "is ignored: it is neither" -e "BuildBackendWarning" >&2); }
  pipq install -q --require-hashes -r requirements.lock
  pipq install -q --no-deps -e .
  cp requirements.lock "$stamp"
fi

# Compiled catalogs are build output (not committed): make them from the .po files.
.venv/bin/pybabel compile -d locales -D kiosk 2>/dev/null
