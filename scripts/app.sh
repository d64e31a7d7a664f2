#!/usr/bin/env bash
# Set up, then launch the app on the shipped data at http://127.0.0.1:8501
set -euo pipefail
cd "$(dirname "$0")/.."
./scripts/setup.sh
exec .venv/bin/python -m streamlit run streamlit_app.py \
  --server.address 127.0.0.1 --server.port "${PORT:-8501}" --server.headless true \
  --browser.gatherUsageStats false "$@"
