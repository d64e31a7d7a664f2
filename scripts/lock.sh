#!/usr/bin/env bash
# Pin the environment: compile requirements-dev.lock (the app and its tests: what CI
# installs and tests) and requirements.lock (the app alone, at the same versions) from
# pyproject.toml, with pip-tools in a throw-away virtual environment.
#
#   ./scripts/lock.sh              # after adding or changing a dependency in pyproject.toml
#   ./scripts/lock.sh --upgrade    # move every pin to the newest version pyproject.toml allows
#
# Versions already pinned are kept unless pyproject.toml rules them out (or --upgrade).
# Commit both files; scripts/setup.sh installs from them.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
tools=$(mktemp -d)
trap 'rm -rf "$tools"' EXIT
"$python" -m venv "$tools"
"$tools/bin/python" -m pip install --quiet --upgrade pip pip-tools

compile=("$tools/bin/pip-compile" --quiet --strip-extras --allow-unsafe --no-emit-index-url
         --no-emit-find-links --newline LF "$@")
"${compile[@]}" --extra dev --output-file requirements-dev.lock pyproject.toml
# The app's pins start from the tests' pins, so both files agree on every shared package.
cp requirements-dev.lock requirements.lock
"${compile[@]}" --output-file requirements.lock pyproject.toml
echo "lock: wrote requirements-dev.lock ($(grep -c '==' requirements-dev.lock) pins) and requirements.lock ($(grep -c '==' requirements.lock) pins)"
