#!/usr/bin/env bash
# Install (as tools/install.sh --test) and run the whole test suite: everything offscreen, then the
# journey suite (tests/journey) in its own process on a real X server that its conftest starts
# (Xvfb + openbox, real input through xdotool). One process holds one QApplication, on one platform.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh --test
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q --ignore=tests/journey "$@"
env -u QT_QPA_PLATFORM .venv/bin/python -m pytest -q tests/journey
