#!/usr/bin/env bash
# Install everything 纪案通 needs on Debian/Ubuntu: Qt's system libraries and Chinese fonts,
# then a virtual environment in .venv with the app (and, with --test, the test tools).
set -euo pipefail
cd "$(dirname "$0")/.."

extras=""
[ "${1:-}" = "--test" ] && extras="[test]"

# fonts: free faces for the documents' 仿宋 / 小标宋 / 黑体 / 楷体 (resources/fontconfig/fonts.conf maps them)
debs=(
  python3-venv fontconfig fonts-noto-cjk fonts-arphic-gbsn00lp fonts-arphic-gkai00mp fonts-arphic-ukai
  libegl1 libgl1 libglib2.0-0 libdbus-1-3 libfontconfig1 libxkbcommon0 libxkbcommon-x11-0
  libxcb-cursor0 libxcb-icccm4 libxcb-image0 libxcb-keysyms1 libxcb-randr0 libxcb-render-util0
  libxcb-shape0 libxcb-xinerama0 libxcb-xkb1
)
# the age command-line tool: the tests decrypt a bundle's payload with it to prove the format is standard
if [ "${1:-}" = "--test" ]; then debs+=(age); fi
# a real word processor for the document tests: LibreOffice converts the rendered .docx to PDF, pdftotext reads it
if [ "${1:-}" = "--test" ]; then debs+=(libreoffice-writer-nogui poppler-utils); fi
# the journey suite (tests/journey): a virtual X server, a window manager, real input, keyboard maps
if [ "${1:-}" = "--test" ]; then debs+=(xvfb openbox xdotool x11-utils x11-xserver-utils); fi
missing=()
for pkg in "${debs[@]}"; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing+=("$pkg")
done
if [ ${#missing[@]} -gt 0 ]; then
  sudo=""
  [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi

python3 -m venv .venv
.venv/bin/python -m pip install -q --upgrade pip
.venv/bin/python -m pip install -q -e ".${extras}"
