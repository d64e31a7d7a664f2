"""Hostile input is refused with a clear message, and a failed save loses nothing (issue 7)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from sim.data import load_package
from sim.errors import ScenarioError, SimError
from sim.scenario import load_scenario, parse_scenario, save_scenario
from sim.yamlio import MAX_YAML_BYTES, write_atomic

VALID = "version: 1\nname: ok\nyear: 2020\ninterventions:\n  - {zone: sunan, indicator: unicorns, by: 1}\n"


@pytest.fixture(scope="module")
def package():
    return load_package()


def test_an_oversized_scenario_file_is_refused_before_it_is_read(tmp_path, package):
    path = tmp_path / "big.yaml"
    path.write_text(VALID + "# padding\n" * (MAX_YAML_BYTES // 10 + 1))
    with pytest.raises(ScenarioError) as error:
        load_scenario(path, package)
    assert "big.yaml" in str(error.value) and "at most 1,000,000 bytes" in str(error.value)


def test_an_oversized_upload_is_refused(package):
    with pytest.raises(ScenarioError, match="at most 1,000,000 bytes"):
        parse_scenario(b"x" * (MAX_YAML_BYTES + 1), package, source="upload")


def test_an_alias_bomb_is_refused_without_expanding(package):
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    bomb += "".join(f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)},*{chr(97 + i)}]\n" for i in range(8))
    with pytest.raises(ScenarioError) as error:
        parse_scenario(bomb, package, source="bomb.yaml")
    assert "bomb.yaml" in str(error.value) and "line 1" in str(error.value) and "anchors and aliases" in str(error.value)


@pytest.mark.parametrize(
    "tag",
    ["!!python/object/apply:os.system ['touch /tmp/pwned']", "!!python/name:os.system", "!!binary aGVsbG8=", "!custom 1"],
)
def test_object_constructing_tags_are_refused(package, tag):
    with pytest.raises(ScenarioError) as error:
        parse_scenario(f"version: 1\nname: {tag}\nyear: 2020\n", package, source="tag.yaml")
    assert "line 2" in str(error.value) and "tag" in str(error.value) and "not allowed" in str(error.value)


def test_html_in_a_name_is_kept_as_text_not_markup(package):
    scenario = parse_scenario(
        'version: 1\nname: "<script>alert(1)</script><b>x</b>"\nyear: 2020\n', package, source="html.yaml"
    )
    assert scenario.name == "<script>alert(1)</script><b>x</b>"  # plain text; the app escapes it on display


@pytest.mark.parametrize("number", ["1e308", ".inf", "-.inf", ".nan", "1" + "0" * 400])
def test_numbers_that_would_overflow_are_refused(package, number):
    text = f"version: 1\nname: big\nyear: 2020\ninterventions:\n  - zone: sunan\n    indicator: unicorns\n    by: {number}\n"
    with pytest.raises(ScenarioError) as error:
        parse_scenario(text, package, source="big.yaml")
    assert "line 7" in str(error.value) and "interventions[0].by" in str(error.value)


def test_a_failed_save_leaves_the_old_file_intact(tmp_path, package, monkeypatch):
    path = tmp_path / "mine.yaml"
    path.write_text(VALID)
    scenario = parse_scenario(VALID.replace("by: 1", "by: 2"), package)

    def full_disk(*args, **kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(os, "replace", full_disk)
    with pytest.raises(SimError, match="No space left on device"):
        save_scenario(scenario, path, force=True)
    assert path.read_text() == VALID
    assert [p.name for p in tmp_path.iterdir()] == ["mine.yaml"], "the temporary file was not cleaned up"


def test_saving_never_overwrites_without_force(tmp_path, package):
    path = tmp_path / "mine.yaml"
    path.write_text(VALID)
    with pytest.raises(SimError, match="already exists; use --force"):
        save_scenario(parse_scenario(VALID, package), path)
    assert path.read_text() == VALID
    save_scenario(parse_scenario(VALID.replace("by: 1", "by: 2"), package), path, force=True)
    assert "by: 2" in path.read_text()


def test_an_atomic_write_into_a_missing_folder_is_a_clean_error(tmp_path):
    with pytest.raises(SimError, match="cannot write"):
        write_atomic(tmp_path / "no" / "such" / "folder.yaml", "x")


def test_the_command_line_refuses_a_bomb_with_exit_2_and_no_traceback(tmp_path):
    bomb = tmp_path / "bomb.yaml"
    bomb.write_text("a: &a [1, 2]\nb: [*a, *a]\n")
    done = subprocess.run([sys.executable, "-m", "sim", "run", str(bomb)], capture_output=True, text=True, timeout=60)
    assert done.returncode == 2
    assert "anchors and aliases" in done.stderr and "Traceback" not in done.stderr


def test_exponent_numbers_read_as_numbers_as_in_yaml_1_2(package):
    """PyYAML (YAML 1.1) reads 1e3 as text; people mean a number."""
    text = "version: 1\nname: e\nyear: 2020\ninterventions:\n  - {zone: sunan, indicator: rd_spending, to: 1e3}\n"
    assert parse_scenario(text, package).interventions[0].to == 1000.0


def test_a_saved_file_keeps_the_usual_permissions(tmp_path, package):
    """The temporary file is private while written; the saved file is not."""
    fresh = save_scenario(parse_scenario(VALID, package), tmp_path / "new.yaml")
    umask = os.umask(0)
    os.umask(umask)
    assert fresh.stat().st_mode & 0o777 == 0o666 & ~umask
    kept = tmp_path / "kept.yaml"
    kept.write_text(VALID)
    kept.chmod(0o640)
    save_scenario(parse_scenario(VALID, package), kept, force=True)
    assert kept.stat().st_mode & 0o777 == 0o640
