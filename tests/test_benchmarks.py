"""The benchmark scripts still import: they are not run by the suite (they print timings),
but a refactor must not leave them broken."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

BENCHMARKS_DIR = Path(__file__).resolve().parent.parent / "benchmarks"
BENCHMARKS = sorted(p for p in BENCHMARKS_DIR.glob("*.py") if not p.name.startswith("_"))


@pytest.mark.parametrize("script", BENCHMARKS, ids=[p.name for p in BENCHMARKS])
def test_benchmark_script_imports_and_has_a_main(script, monkeypatch):
    monkeypatch.syspath_prepend(str(BENCHMARKS_DIR))  # as when run as a script: its own folder first
    spec = importlib.util.spec_from_file_location(f"benchmark_{script.stem}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)  # runs the imports, not main(): every script guards it
    assert callable(module.main)
