"""Shared fixtures: where the test data packages live.

Keep this file small: fixtures used by one test module belong in that module.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.data import DataPackage, load_package

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
#: Valid packages: ``tiny`` (3 zones x 3 indicators, 2019 and 2020) and copies of it
#: saved in other encodings.
PACKAGES_DIR = TESTS_DIR / "packages"
#: Copies of ``tiny`` with one defect each (see its README.md).
BROKEN_PACKAGES_DIR = TESTS_DIR / "broken_packages"


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
# For tests/test_browser.py (marked ``browser``): the app served by Streamlit on a free
# localhost port, and Debian's Chromium driven by pytest-playwright. Every xdist worker
# starts its own server (session scope is per worker) and stops it by its PID.

import os  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import urllib.request  # noqa: E402

#: Debian's Chromium (ZONESIM_CHROMIUM points elsewhere, e.g. /usr/bin/chromium-browser).
CHROMIUM = Path(os.environ.get("ZONESIM_CHROMIUM") or "/usr/bin/chromium")
#: Chromium talks to nothing but localhost.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]
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
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "headless": True,
        "args": CHROMIUM_ARGS,
        "env": {**os.environ, **browser_home},
    }


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    """pytest-playwright: a viewport that shows the whole app in a screenshot; downloads allowed."""
    return {**browser_context_args, "viewport": {"width": 1280, "height": 1100}, "accept_downloads": True,
            "locale": "zh-CN"}


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


@pytest.fixture(scope="session")
def app_url(browser_home, tmp_path_factory):
    """The app served on a free localhost port for this worker; stopped by PID afterwards."""
    _require_chromium()
    log_path = tmp_path_factory.mktemp("streamlit") / "server.log"
    env = {**os.environ, **browser_home, "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    for attempt in range(3):  # another process may take the port between the probe and the start
        port = _free_port()
        url = f"http://127.0.0.1:{port}"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and process.poll() is None and not _healthy(url):
            time.sleep(0.2)
        if process.poll() is None and _healthy(url):
            break
        process.terminate()
        process.wait(timeout=10)
    else:
        pytest.fail(f"the app did not start; see {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}")
    yield url
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


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
