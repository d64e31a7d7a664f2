"""The app's shape (issue 10): a thin entry, one small module per tab, each tab rendering alone.

Every tab module of the registry in streamlit_app.py renders on its own under AppTest
(a new tab added to the registry is checked too); the entry and the UI modules stay
within their line budgets; the library never imports Streamlit.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest
from _apptest import APP
from streamlit.testing.v1 import AppTest

ROOT = Path(__file__).resolve().parent.parent
ENTRY_LINES, UI_MODULE_LINES = 120, 350


def _registry() -> list[tuple[str, str]]:
    """The TABS list of streamlit_app.py, read without running the app."""
    tree = ast.parse(Path(APP).read_text(encoding="utf-8"))
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "TABS":
            return ast.literal_eval(node.value)
    raise AssertionError("streamlit_app.py has no TABS registry")


def _render_alone(module_name: str) -> None:  # an AppTest script: its imports are its own
    import importlib

    from ui import state

    state.start_session()
    state.apply_pending()
    importlib.import_module(module_name).render(state.context())


@pytest.mark.parametrize("lang", ["zh", "en"])
@pytest.mark.parametrize("tab_id, module", _registry(), ids=[tab_id for tab_id, _ in _registry()])
def test_every_tab_module_renders_alone(tab_id, module, lang):
    at = AppTest.from_function(_render_alone, args=(module,), default_timeout=120)
    if lang != "zh":
        at.query_params["lang"] = lang
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert not at.error, [e.value for e in at.error]
    assert len(list(at.main)) > 0  # it drew something
    from sim.i18n import t

    assert t(f"tab_{tab_id}", lang) != f"tab_{tab_id}"  # its label is in the catalogue


def test_the_entry_and_every_ui_module_stay_small():
    sizes = {path.name: len(path.read_text(encoding="utf-8").splitlines()) for path in (ROOT / "ui").glob("*.py")}
    assert len(Path(APP).read_text(encoding="utf-8").splitlines()) <= ENTRY_LINES
    assert {name: n for name, n in sizes.items() if n > UI_MODULE_LINES} == {}
    for _, module in _registry():
        assert (ROOT / (module.replace(".", "/") + ".py")).is_file(), module


def test_the_library_never_imports_streamlit():
    for path in (ROOT / "sim").rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        names = [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
        names += [node.module or "" for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
        assert not [n for n in names if n.split(".")[0] == "streamlit"], path


def test_the_ui_package_passes_the_pyflakes_rules():
    done = subprocess.run([sys.executable, "-m", "ruff", "check", "--no-cache", "--select", "F,E9", "ui"],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
