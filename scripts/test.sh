#!/usr/bin/env bash
# Set up everything the tests need, then run the whole test suite (browser tests included).
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh --test
export PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1
exec .venv/bin/python -m pytest -n 2 "$@"
