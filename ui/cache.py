"""What the app computes once and keeps: the data package, results, parsed files, charts.

Everything here is keyed by what it depends on (the data package's digest, the
scenario's canonical text, the language), so an edited data folder or another
scenario is never served an old answer. Results and packages are immutable, so
sessions share them.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import streamlit as st

from sim.data import SHIPPED_DATA, DataPackage, load_package
from sim.engine import Result, run_scenario
from sim.errors import ScenarioError, SimError
from sim.messages import msg
from sim.scenario import Scenario, dump_scenario, parse_scenario

APP_DIR = Path(__file__).resolve().parent.parent


def scenario_dir() -> Path:
    """The scenario library: ``scenarios/``, or the folder ``ZONESIM_SCENARIO_DIR`` names (e.g. in tests)."""
    return Path(os.environ.get("ZONESIM_SCENARIO_DIR") or APP_DIR / "scenarios")


def _folder_signature(folder: Path) -> tuple:
    """Names, sizes and modification times of a data folder's files: the cache key, so edited data are reloaded.

    (Reading every file on every call would cost more than the run it serves.)
    """
    found = []
    for entry in os.scandir(folder):
        if entry.is_dir():
            found += [(f"{entry.name}/{name}", size, time) for name, size, time in _folder_signature(Path(entry.path))]
        elif entry.is_file():
            info = entry.stat()
            found.append((entry.name, info.st_size, info.st_mtime_ns))
    return tuple(sorted(found))


@st.cache_resource(max_entries=4, show_spinner=False)
def _load_package(path: str, signature: tuple) -> DataPackage:
    return load_package(path)


def shipped_package() -> DataPackage:
    """The shipped data package, cached on its path and its files' signature."""
    return _load_package(str(SHIPPED_DATA), _folder_signature(SHIPPED_DATA))


@st.cache_resource(max_entries=512, show_spinner=False)
def _run_cached(_package: DataPackage, _scenario: Scenario, digest: str, text: str) -> Result:
    return run_scenario(_package, _scenario)


def run(package: DataPackage, scenario: Scenario) -> Result:
    """Run a scenario, cached on the data digest and the scenario's canonical text.

    Raises
    ------
    SimError
        As :func:`sim.engine.run_scenario`.
    """
    return _run_cached(package, scenario, package.digest, dump_scenario(scenario))


@st.cache_resource(max_entries=1024, show_spinner=False)
def _parse_cached(_package: DataPackage, digest: str, text: bytes, source: str) -> tuple[Scenario | None, SimError | None]:
    try:
        return parse_scenario(text, _package, source=source), None
    except SimError as exc:
        return None, exc


def parse(package: DataPackage, data: bytes, source: str) -> tuple[Scenario | None, SimError | None]:
    """A scenario file's bytes parsed against ``package``: (scenario, None) or (None, the error).

    The error is kept whole (not as text), so the page shows it in its own language.
    """
    return _parse_cached(package, package.digest, data, source)


def library_files() -> list[Path]:
    """Scenario files in the library folder, by name."""
    folder = scenario_dir()
    if not folder.is_dir():
        return []
    return sorted(p for p in folder.iterdir() if p.suffix.lower() in (".yaml", ".yml") and p.is_file())


def library_scenario(package: DataPackage, path: Path) -> tuple[Scenario | None, SimError | None]:
    """A library file parsed against ``package``: (scenario, None) or (None, the error)."""
    try:
        data = path.read_bytes()
    except OSError as exc:
        return None, ScenarioError(msg("ui.cannot_read", reason=str(exc.strerror or exc)), path.name)
    return parse(package, data, f"scenarios/{path.name}")


@st.cache_data(max_entries=256, show_spinner=False)
def _chart_spec(digest: str, text: str, lang: str, name: str, _build: Any) -> dict[str, Any]:
    # Altair's schema validation is most of a chart's cost; the builders are tested
    # against the schema in tests/test_charts.py, so the app skips it.
    return _build().to_dict(validate=False)


def chart_spec(package: DataPackage, result: Result, lang: str, name: str, build: Any) -> dict[str, Any]:
    """A Vega-Lite spec from an Altair chart builder, cached per data, scenario, language and chart."""
    return _chart_spec(package.digest, dump_scenario(result.scenario), lang, name, build)
