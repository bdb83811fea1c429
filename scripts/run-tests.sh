#!/usr/bin/env bash
# Run the whole test suite offscreen (no display needed). Called by `make test`.
set -euo pipefail
cd "$(dirname "$0")/.."
export QT_QPA_PLATFORM=offscreen
export PYTHONDONTWRITEBYTECODE=1
exec .venv/bin/python -m pytest "$@"
