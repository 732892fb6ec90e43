#!/usr/bin/env bash
# Install (as tools/install.sh --test) and run the whole test suite offscreen.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh --test
export QT_QPA_PLATFORM=offscreen
exec .venv/bin/python -m pytest -q "$@"
