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

# Debian packages. The CJK font is needed at run time (the brief's chart labels are drawn
# in-process by vl-convert, sim/brief/figures.py) and by the browser tests (Chinese text
# in screenshots); Chromium only by the browser tests.
debian=()
[ -e /usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc ] || debian+=(fonts-noto-cjk)
[ "$with_tests" = 1 ] && [ ! -x /usr/bin/chromium ] && debian+=(chromium)
if [ ${#debian[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "setup: installing Debian's ${debian[*]}"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends "${debian[@]}" >/dev/null
  else
    echo "setup: zonesim needs Debian's ${debian[*]}:" >&2
    echo "       sudo apt-get install --no-install-recommends ${debian[*]}" >&2
  fi
fi
echo "setup: done"
