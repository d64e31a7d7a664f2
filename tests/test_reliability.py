"""Hostile input is refused with a clear message, and a failed save loses nothing (issues 7 and 15)."""

from __future__ import annotations

import functools
import multiprocessing
import os
import signal
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from sim.data import load_package, package_from_files
from sim.errors import DataError, ScenarioError, SimError
from sim.scenario import load_scenario, parse_scenario, save_scenario, scenario_from_dict
from sim.text import did_you_mean
from sim.yamlio import MAX_YAML_BYTES, load_yaml, write_atomic

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
    with pytest.raises(SimError, match="no space left on the disk"):
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


# ======================================================================================
# Issue 15: hostile input outside the first fuzzers' reach, saves that never lie.
# Each test is the issue's reproduction.
# ======================================================================================


def issue_nesting(n: int) -> str:
    """The issue's document: interventions nested ``n`` levels deep."""
    return "version: 1\nname: x\nyear: 2020\ninterventions: " + "[" * n + "]" * n + "\n"


@pytest.mark.parametrize("depth", [500, 20_000])
def test_deep_nesting_is_refused_as_a_clean_error_whatever_the_depth(package, depth):
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(issue_nesting(depth), package, source="deep.yaml")
    assert "deep.yaml: line 4: nested more than 50 levels deep" in str(refused.value)


def test_nesting_of_50_levels_is_read_and_51_is_refused():
    # The document's mapping is level 1; each [ adds one.
    assert load_yaml("a: " + "[" * 49 + "]" * 49, "ok.yaml")[0]["a"] == functools.reduce(lambda x, _: [x], range(48), [])
    with pytest.raises(SimError, match="nested more than 50"):
        load_yaml("a: " + "[" * 50 + "]" * 50, "deep.yaml")
    block = "".join("  " * i + f"k{i}:\n" for i in range(49)) + "  " * 49 + "k: 1\n"  # 50 block mappings
    assert load_yaml(block, "ok.yaml")[0]
    with pytest.raises(SimError, match="nested more than 50"):
        load_yaml("x:\n" + "".join("  " * (i + 1) + f"k{i}:\n" for i in range(49)) + "  " * 50 + "k: 1\n", "deep.yaml")


def test_deep_nesting_in_method_yaml_is_refused(tiny_package_dir):
    files = {p.name: p.read_bytes() for p in tiny_package_dir.iterdir() if p.is_file()}
    files["method.yaml"] = b"links: " + b"[" * 20_000 + b"]" * 20_000 + b"\n"
    with pytest.raises(DataError, match="method.yaml: line 1: nested more than 50 levels deep"):
        package_from_files(files)


def test_a_file_of_integers_beyond_4300_digits_is_refused_naming_the_field(package):
    text = VALID.replace("by: 1", "by: " + "9" * 5000)
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, package, source="big.yaml")
    message = str(refused.value)
    assert "line 5, interventions[0].by" in message and "5,000 digits" in message and len(message) < 300
    with pytest.raises(ScenarioError, match="line 3, year: the whole number"):
        parse_scenario("version: 1\nname: x\nyear: " + "1" * 4301 + "\n", package)


def test_an_integer_built_from_sexagesimal_parts_is_refused_too(package):
    """YAML 1.1 reads 1:59:59 as a number: 2,000 parts make one beyond any float (and str())."""
    with pytest.raises(ScenarioError, match="interventions\\[0\\].by"):
        parse_scenario(VALID.replace("by: 1", "by: 1" + ":59" * 2000), package)


def test_an_error_list_is_capped_at_50_shown_and_counts_the_rest(package):
    items = "".join("  - {zone: sunan, indicator: unicrons, by: 1}\n" for _ in range(2_000))
    with pytest.raises(ScenarioError) as refused:
        parse_scenario("version: 1\nname: x\nyear: 2020\ninterventions:\n" + items, package, source="many.yaml")
    message = str(refused.value)
    assert message.startswith("many.yaml: 2000 problems:")
    assert message.count("\n  - ") == 50 and message.endswith("  ... and 1,950 more")
    assert len(refused.value.problems) + refused.value.omitted == 2_000
    assert "另有 1,950 个问题未列出" in refused.value.render("zh")


def test_a_problem_quoting_a_huge_value_is_cut():
    error = SimError(["x" * 100_000, "short"])
    assert len(str(error)) < 2_100 and str(error).endswith("short")


@pytest.mark.parametrize(
    "what, count, words",
    [
        ("zone", 49_001, ["49,001 entries", "only 5 zones"]),
        ("zone", 150_000, ["more than 100,000 entries", "not read"]),
        ("keys", 60_000, ["more than 10,000 entries", "not read"]),
    ],
)
def test_huge_collections_give_one_short_message(package, what, count, words):
    if what == "zone":
        text = "version: 1\nname: x\nyear: 2020\ninterventions: [{zone: [" + ", ".join(["x"] * count) + "], indicator: unicorns, by: 1}]\n"
    else:
        text = "version: 1\nname: x\nyear: 2020\ninterventions: [{zone: sunan, indicator: unicorns, by: 1, " + ", ".join(
            f"k{i}: 1" for i in range(count)) + "}]\n"
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, package, source="link")
    message = str(refused.value)
    assert all(word in message for word in words), message
    assert len(message) < 400


def test_twenty_thousand_interventions_are_read_and_one_more_is_refused(package):
    item = "  - {zone: sunan, indicator: unicorns, by: 1}\n"
    head = "version: 1\nname: x\nyear: 2020\ninterventions:\n"
    assert len(parse_scenario(head + item * 20_000, package).interventions) == 20_000
    with pytest.raises(ScenarioError, match="interventions: 20,001 entries; at most 20,000 are allowed"):
        parse_scenario(head + item * 20_001, package)


@pytest.mark.parametrize(
    "field, line",
    [
        ('name: "evil\\x1bname"', "line 2, name"),
        ('name_zh: "a\\x07b"', "line 4, name_zh"),
        ('description: "a\\rb"', "line 4, description"),
        ('"ke\\x1by": 1', "line 4, ke\\x1by"),
    ],
)
def test_control_characters_in_any_text_are_refused_at_load(package, field, line):
    text = "version: 1\nname: x\nyear: 2020\n" + field + "\n" if not field.startswith("name:") else (
        "version: 1\n" + field + "\nyear: 2020\n")
    with pytest.raises(ScenarioError) as refused:
        parse_scenario(text, package, source="s.yaml")
    message = str(refused.value)
    assert "control character U+00" in message and "remove it" in message
    assert "\x1b" not in message and "\x07" not in message  # the message shows, it does not ring or recolour


def test_a_note_with_an_escape_sequence_is_refused(package):
    text = VALID.replace("by: 1}", 'by: 1, note: "\\x1b[2J"}')
    with pytest.raises(ScenarioError, match="line 5, interventions\\[0\\].note: the text holds the control character U\\+001B"):
        parse_scenario(text, package)


def test_lone_surrogates_are_refused_in_text_and_in_documents_built_by_the_app(package):
    with pytest.raises(ScenarioError, match="U\\+D800"):
        parse_scenario("version: 1\nname: a\ud800b\nyear: 2020\n", package)
    with pytest.raises(ScenarioError, match="name: the text holds a lone surrogate U\\+D800"):
        scenario_from_dict({"version": 1, "name": "a\ud800b", "year": 2020}, package)


def test_tab_and_newline_stay_allowed_in_text(package):
    text = 'version: 1\nname: "a\\tb"\ndescription: |\n  two\n  lines\nyear: 2020\n'
    scenario = parse_scenario(text, package)
    assert scenario.name == "a\tb" and scenario.description == "two\nlines\n"


def test_an_unreadable_data_file_is_a_data_error(tiny_package_dir, monkeypatch):
    real_open = Path.open

    def refuse(self, *args, **kwargs):
        if self.name == "baseline.csv":
            raise PermissionError(13, "Permission denied")
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", refuse)
    with pytest.raises(DataError, match="baseline.csv: cannot read the file \\(permission denied\\)"):
        load_package(tiny_package_dir)


# --------------------------------------------------------------------------- saves


def _writer(path: str, number: int, barrier, results) -> None:
    barrier.wait()
    try:
        write_atomic(path, f"writer {number}\n")
        results.put(("saved", number))
    except SimError as exc:
        results.put(("refused", str(exc)))


def test_of_eight_simultaneous_writers_without_force_exactly_one_succeeds(tmp_path):
    context = multiprocessing.get_context("fork")
    for trial in range(3):
        path = tmp_path / f"race{trial}.yaml"
        barrier, results = context.Barrier(8), context.Queue()
        writers = [context.Process(target=_writer, args=(str(path), i, barrier, results)) for i in range(8)]
        for writer in writers:
            writer.start()
        outcomes = [results.get(timeout=60) for _ in writers]
        for writer in writers:
            writer.join(timeout=60)
        saved = [number for kind, number in outcomes if kind == "saved"]
        assert len(saved) == 1, outcomes
        assert path.read_text() == f"writer {saved[0]}\n"
        assert all("already exists; use --force" in text for kind, text in outcomes if kind == "refused")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["race0.yaml", "race1.yaml", "race2.yaml"]


@pytest.mark.parametrize("force", [False, True])
def test_a_symbolic_link_is_neither_followed_nor_replaced_even_dangling(tmp_path, force):
    target = tmp_path / "elsewhere.yaml"
    dangling, live = tmp_path / "dangling.yaml", tmp_path / "live.yaml"
    dangling.symlink_to(tmp_path / "nowhere.yaml")
    live.symlink_to(target)
    target.write_text("kept\n")
    for link in (dangling, live):
        with pytest.raises(SimError, match="is a symbolic link"):
            write_atomic(link, "new\n", force=force)
        assert link.is_symlink()
    assert target.read_text() == "kept\n" and not (tmp_path / "nowhere.yaml").exists()


def test_a_device_or_a_fifo_is_never_replaced(tmp_path):
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    for special in (Path("/dev/null"), fifo):
        with pytest.raises(SimError, match="not a regular file"):
            write_atomic(special, "x", force=True)
    assert stat.S_ISCHR(os.stat("/dev/null").st_mode) and stat.S_ISFIFO(os.stat(fifo).st_mode)


def test_an_empty_file_name_is_an_error():
    with pytest.raises(SimError, match="no file name given"):
        write_atomic("", "x")


_SLOW_WRITER = """
import os, sys, time
import sim.yamlio as y
real_fsync = os.fsync
def slow(fd):
    print("writing", flush=True)
    time.sleep(30)
os.fsync = slow
y.write_atomic(sys.argv[1], "x" * 1000)
"""


def test_a_temporary_file_is_removed_when_a_signal_stops_the_save(tmp_path):
    target = tmp_path / "out.yaml"
    writer = subprocess.Popen([sys.executable, "-c", _SLOW_WRITER, str(target)], stdout=subprocess.PIPE, text=True)
    assert writer.stdout.readline() == "writing\n"
    assert [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")], "the temporary file should exist now"
    writer.send_signal(signal.SIGTERM)
    assert writer.wait(timeout=30) == -signal.SIGTERM  # the signal still ends the process
    assert list(tmp_path.iterdir()) == []


def test_temporary_files_of_a_killed_writer_are_removed_by_the_next_save(tmp_path):
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    dead = int(gone.stdout)
    leftover = tmp_path / f".out.yaml.{dead}.abc12345.tmp"
    leftover.write_bytes(b"x" * 1000)
    others = [tmp_path / f".other.yaml.{dead}.abc12345.tmp",  # another file's: not this save's business
              tmp_path / f".out.yaml.1.{dead}.abc12345.tmp"]  # out.yaml.1's
    for other in others:
        other.write_bytes(b"x")
    write_atomic(tmp_path / "out.yaml", "new\n")
    assert not leftover.exists() and all(other.exists() for other in others)
    assert (tmp_path / "out.yaml").read_text() == "new\n"


def test_suggestions_offer_look_alike_characters_first():
    choices = ["ind_10", "ind_01", "ind_11"]
    assert did_you_mean("ind_0l", choices) == "; did you mean 'ind_01'?"
    assert did_you_mean("ind_O1", choices) == "; did you mean 'ind_01'?"
    assert did_you_mean("ind_1O", choices) == "; did you mean 'ind_10'?"
    assert did_you_mean("rd_spendng", ["rd_spending", "rd_intensity"]) == "; did you mean 'rd_spending'?"
