#!/usr/bin/env bash
# Set up the project: a virtual environment in .venv with the package and its
# dependencies. With --test, also the test dependencies and, for the browser tests,
# Debian's Chromium and a CJK font (Playwright's own browser download does not work
# on every machine, and Chinese text needs the font to render).
set -euo pipefail
cd "$(dirname "$0")/.."

with_tests=0
[ "${1:-}" = "--test" ] && with_tests=1

python=${PYTHON:-python3}
if [ ! -x .venv/bin/python ]; then
  echo "setup: creating .venv with $($python --version)"
  "$python" -m venv .venv
fi
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
.venv/bin/python -m pip install --quiet --upgrade pip
if [ "$with_tests" = 1 ]; then
  .venv/bin/python -m pip install --quiet -e ".[dev]"
else
  .venv/bin/python -m pip install --quiet -e .
fi

if [ "$with_tests" = 1 ] && { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -qi "Noto Sans CJK"; }; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's chromium and fonts-noto-cjk for the browser tests"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends chromium fonts-noto-cjk >/dev/null
  else
    echo "setup: the browser tests need /usr/bin/chromium and fonts-noto-cjk:" >&2
    echo "       sudo apt-get install --no-install-recommends chromium fonts-noto-cjk" >&2
  fi
fi
# --- planner's brief (zonesim report, issue 14) -------------------------------------------
# Chinese chart labels in a brief are rendered in-process (vl-convert) and need a CJK font
# at run time, not only for the tests: Debian's fonts-noto-cjk (sim/brief/figures.py).
if [ ! -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing fonts-noto-cjk for the Chinese labels of the brief's charts"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends fonts-noto-cjk >/dev/null
  else
    echo "setup: Chinese chart labels in briefs (zonesim report) need fonts-noto-cjk:" >&2
    echo "       sudo apt-get install --no-install-recommends fonts-noto-cjk" >&2
  fi
fi
# --- end of the planner's brief block ------------------------------------------------------
echo "setup: done"
