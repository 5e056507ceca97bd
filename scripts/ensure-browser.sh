#!/usr/bin/env bash
# Chromium for the browser tests (tests/browser): Debian's chromium and chromium-driver packages.
# Playwright drives /usr/bin/chromium; it never downloads a browser of its own. Idempotent: does
# nothing when chromium is there; installs it with apt-get when we are root; otherwise says what to
# install and exits 0 (the browser tests then fail and say the same).
set -euo pipefail

CHROMIUM=/usr/bin/chromium

if [ -x "$CHROMIUM" ]; then
  exit 0
fi

if [ "$(id -u)" -eq 0 ] && command -v apt-get >/dev/null 2>&1; then
  echo "ensure-browser: installing chromium and chromium-driver with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq
  apt-get install -y -qq chromium chromium-driver >/dev/null
  if [ ! -x "$CHROMIUM" ]; then
    echo "ensure-browser: apt-get finished but $CHROMIUM is still missing" >&2
    exit 1
  fi
  echo "ensure-browser: $("$CHROMIUM" --version 2>/dev/null || echo chromium installed)"
  exit 0
fi

echo "ensure-browser: $CHROMIUM is missing; install Debian's chromium and chromium-driver packages (sudo apt-get install chromium chromium-driver) to run the browser tests."
