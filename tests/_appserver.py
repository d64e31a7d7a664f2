"""Serve the app on a free localhost port, and launch Debian's Chromium: for browser tests and benchmarks.

Plain functions (no pytest), so ``benchmarks/bench_app_browser.py`` starts the app
exactly as the browser tests do. Everything talks to localhost only; the server is
stopped by its PID.
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parent.parent
#: Debian's Chromium (ZONESIM_CHROMIUM points elsewhere, e.g. /usr/bin/chromium-browser).
CHROMIUM = Path(os.environ.get("ZONESIM_CHROMIUM") or "/usr/bin/chromium")
#: Chromium talks to nothing but localhost.
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
    "--disable-component-update", "--disable-sync",
    "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE localhost , EXCLUDE 127.0.0.1",
]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(f"{url}/_stcore/health", timeout=1) as response:
            return response.read().strip() == b"ok"
    except OSError:
        return False


@contextmanager
def serve_app(log_path: Path, env: Mapping[str, str] | None = None, timeout: float = 60) -> Iterator[str]:
    """The app served by Streamlit on a free port: yields its URL; stops the server by its PID.

    Raises
    ------
    RuntimeError
        The server did not answer its health check (the log's end is in the message).
    """
    env = {**os.environ, **(env or {}), "STREAMLIT_BROWSER_GATHER_USAGE_STATS": "false"}
    process = None
    for _ in range(3):  # another process may take the port between the probe and the start
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        with open(log_path, "ab") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "streamlit", "run", "streamlit_app.py", "--server.headless", "true",
                 "--server.address", "127.0.0.1", "--server.port", str(port),
                 "--browser.gatherUsageStats", "false", "--server.fileWatcherType", "none"],
                cwd=REPO_ROOT, env=env, stdout=log, stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline and process.poll() is None and not healthy(url):
            time.sleep(0.1)
        if process.poll() is None and healthy(url):
            break
        _stop(process)
    else:
        raise RuntimeError(f"the app did not start; see {log_path}:\n{log_path.read_text(errors='replace')[-3000:]}")
    try:
        yield url
    finally:
        _stop(process)


def _stop(process: subprocess.Popen) -> None:
    process.terminate()
    try:
        process.wait(timeout=10)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=10)


def chromium_launch_args(home: Mapping[str, str]) -> dict:
    """Keyword arguments of Playwright's ``chromium.launch`` for Debian's Chromium, headless."""
    return {"executable_path": str(CHROMIUM), "headless": True, "args": CHROMIUM_ARGS, "env": {**os.environ, **home}}
