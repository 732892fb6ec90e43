#!/usr/bin/env bash
# Install (as tools/install.sh --test) and run the whole test suite: everything offscreen, then the
# journey suite (tests/journey) in its own process on a real X server that its conftest starts
# (Xvfb + openbox, real input through xdotool). One process holds one QApplication, on one platform.
set -euo pipefail
cd "$(dirname "$0")/.."
bash tools/install.sh --test
# one worker per CPU; --dist loadfile keeps each file's module fixtures (a walked case, a chain of
# stores) in one worker instead of building them twice
QT_QPA_PLATFORM=offscreen .venv/bin/python -m pytest -q --ignore=tests/journey -n auto --dist loadfile "$@"
env -u QT_QPA_PLATFORM .venv/bin/python -m pytest -q tests/journey
