#!/bin/sh
# Install Debian's headless-capable Chromium, so tests/test_html.py also renders the HTML
# report in a real browser (that test is skipped when /usr/bin/chromium is absent).
set -eu
if [ -x /usr/bin/chromium ]; then
    echo "chromium is already installed: $(/usr/bin/chromium --version 2>/dev/null)"
    exit 0
fi
SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
$SUDO apt-get update
$SUDO apt-get install -y chromium
