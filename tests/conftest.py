"""Shared fixtures: where the test data packages live.

Keep this file small: fixtures used by one test module belong in that module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from _apptest import fresh_app
from _appserver import CHROMIUM, chromium_launch_args, serve_app

from sim.data import DataPackage, load_package

# The command line speaks Chinese by default (as the app); the tests read its English
# output unless they say otherwise (`--lang zh`, or the default checked with the variable unset).
os.environ.setdefault("ZONESIM_LANG", "en")

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
#: Valid packages: ``tiny`` (3 zones x 3 indicators, 2019 and 2020) and copies of it
#: saved in other encodings.
PACKAGES_DIR = TESTS_DIR / "packages"
#: Copies of ``tiny`` with one defect each (see its README.md).
BROKEN_PACKAGES_DIR = TESTS_DIR / "broken_packages"


@pytest.fixture
def app(monkeypatch):
    """A fresh app session (AppTest) on the shipped data and the real scenario library."""
    monkeypatch.delenv("ZONESIM_SCENARIO_DIR", raising=False)
    return fresh_app()


@pytest.fixture(scope="session")
def tiny_package_dir() -> Path:
    """The folder of the tiny valid package."""
    return PACKAGES_DIR / "tiny"


@pytest.fixture(scope="session")
def tiny_package(tiny_package_dir: Path) -> DataPackage:
    """The tiny valid package, loaded (a DataPackage is immutable, so sharing it is safe)."""
    return load_package(tiny_package_dir)


@pytest.fixture(scope="session")
def shipped() -> DataPackage:
    """The shipped data package (data/)."""
    return load_package()


@pytest.fixture(scope="session")
def pkg3() -> DataPackage:
    """The 3 x 3 package of the analysis tests (tests/packages/analysis3x3)."""
    return load_package(PACKAGES_DIR / "analysis3x3")


# --------------------------------------------------------------------------- browser tests
# For tests/test_browser*.py (marked ``browser``): the app served by Streamlit on a free
# localhost port (one server per xdist worker, shared by its browser tests), and Debian's
# Chromium driven by pytest-playwright. The server is started and stopped by
# tests/_appserver.py, which the browser benchmark uses too.

SCREENSHOTS_DIR = REPO_ROOT / "artifacts" / "screenshots"


def _require_chromium() -> None:
    """Skip without Chromium, unless CI demands the browser tests (ZONESIM_REQUIRE_BROWSER=1)."""
    if CHROMIUM.exists():
        return
    message = f"{CHROMIUM} is missing: install it with `scripts/setup.sh --test` (Debian's chromium)"
    if os.environ.get("ZONESIM_REQUIRE_BROWSER") == "1":
        pytest.fail(message + "; ZONESIM_REQUIRE_BROWSER=1 says the browser tests must run")
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser_home(tmp_path_factory) -> dict[str, str]:
    """Home, config and cache folders in the test temp dir, so nothing lands in the real home."""
    root = tmp_path_factory.mktemp("browser-home")
    folders = {name: root / name for name in ("home", "config", "cache")}
    for folder in folders.values():
        folder.mkdir()
    return {"HOME": str(folders["home"]), "XDG_CONFIG_HOME": str(folders["config"]),
            "XDG_CACHE_HOME": str(folders["cache"])}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args, browser_home):
    """pytest-playwright: launch Debian's Chromium (Playwright's own download does not work here)."""
    _require_chromium()
    return {**browser_type_launch_args, **chromium_launch_args(browser_home)}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """pytest-playwright: a viewport that shows the whole app in a screenshot; downloads allowed."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1100}, "accept_downloads": True,
            "locale": "zh-CN"}


@pytest.fixture(scope="session")
def app_url(browser_home, tmp_path_factory):
    """The app served on a free localhost port for this worker; stopped by PID afterwards."""
    _require_chromium()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    try:
        with serve_app(log_path, env=browser_home) as url:
            yield url
    except RuntimeError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def screenshot(request):
    """``screenshot(page)`` saves ``artifacts/screenshots/<test name>.png`` (gitignored)."""
    SCREENSHOTS_DIR.mkdir(parents=True, exist_ok=True)
    name = request.node.name.replace("[", "-").replace("]", "").replace("/", "_")

    def save(page, suffix: str = "") -> Path:
        path = SCREENSHOTS_DIR / f"{name}{suffix}.png"
        page.screenshot(path=str(path))
        return path

    return save
