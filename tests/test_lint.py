"""Undefined names, unused imports and syntax errors fail the suite (pyflakes rules via ruff).

Code paths that no test runs (a benchmark's main, a rare error branch) still get checked.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_pyflakes_rules_pass_on_the_whole_tree():
    done = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F,E9",
         "sim", "ui", "benchmarks", "tests", "streamlit_app.py"],
        cwd=ROOT, capture_output=True, text=True, timeout=120,
    )
    assert done.returncode == 0, done.stdout + done.stderr
