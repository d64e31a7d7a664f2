#!/usr/bin/env bash
# Set up the project: a virtual environment in .venv with the package and its
# dependencies at the versions pinned in requirements.lock (with --test,
# requirements-dev.lock: the test dependencies too, the versions CI tests), and, for
# the browser tests, Debian's Chromium and a CJK font (Playwright's own browser download
# does not work on every machine, and Chinese text needs the font to render).
# After changing a dependency in pyproject.toml, refresh the pins: ./scripts/lock.sh
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
lock=requirements.lock
[ "$with_tests" = 1 ] && lock=requirements-dev.lock
# The pinned versions first, then the package itself without letting pip choose others.
.venv/bin/python -m pip install --quiet -r "$lock"
.venv/bin/python -m pip install --quiet --no-deps -e .
if ! problems=$(.venv/bin/python -m pip check 2>&1); then
  echo "setup: $lock does not satisfy pyproject.toml (refresh it with ./scripts/lock.sh):" >&2
  echo "$problems" >&2
  exit 1
fi

# grep reads all of fc-list's output: with -q it would stop early, fc-list would get SIGPIPE,
# and pipefail would call the font missing.
if [ "$with_tests" = 1 ] && { [ ! -x /usr/bin/chromium ] || ! fc-list 2>/dev/null | grep -i "Noto Sans CJK" >/dev/null; }; then
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
