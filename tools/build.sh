#!/usr/bin/env bash
# Build the one-folder desktop package (dist/jiantong/) from build.spec, prove it with --self-test and report its size.
set -euo pipefail
cd "$(dirname "$0")/.."
[ -x .venv/bin/python ] || bash tools/install.sh
.venv/bin/python -m pip install -q -e ".[build]"
.venv/bin/pyinstaller --noconfirm --clean --log-level WARN --distpath dist --workpath build/pyinstaller build.spec
QT_QPA_PLATFORM=offscreen dist/jiantong/jiantong-cli --self-test
echo "dist/jiantong: $(du -sh dist/jiantong | cut -f1) in $(find dist/jiantong -type f | wc -l) files"
