"""The message catalogue (sim/locale/*.yaml) and sim.messages."""

import pickle
import re
from pathlib import Path

import pytest
import yaml

from sim.errors import ScenarioError
from sim.messages import LANGS, LOCALE_DIR, Message, Ref, catalogue, fields, msg, render
from sim.yamlio import load_yaml

SOURCES = [*Path("sim").rglob("*.py"), Path("streamlit_app.py"), *Path(".").glob("ui/**/*.py")]


def test_every_catalogue_file_is_strict_yaml():
    # The runtime loader is the fast C loader, which keeps the last of two equal keys;
    # the project's strict loader refuses duplicates, so a key cannot be defined twice.
    for path in LOCALE_DIR.glob("*.yaml"):
        load_yaml(path.read_bytes(), str(path))


def test_every_entry_has_both_languages_with_the_same_fields():
    for key, entry in catalogue().items():
        assert set(entry) == set(LANGS), key
        assert fields(entry["zh"]) == fields(entry["en"]), key
        for form in entry.values():
            if isinstance(form, dict):
                assert set(form) <= {"one", "other"} and "other" in form, key


def test_every_key_used_in_the_code_exists():
    # msg("ns.key", ...) and text("ns.key", ...) with a literal key: a typo would be a KeyError at run time.
    pattern = re.compile(r"""\b(?:msg|Message|text)\(\s*["']([a-z_]+\.[a-z0-9_.]+)["']""")
    used = {key for path in SOURCES for key in pattern.findall(path.read_text(encoding="utf-8"))}
    missing = sorted(used - set(catalogue()))
    assert not missing


def test_message_is_its_english_text_and_renders_names():
    names = {"sunan": "江苏苏南", "rd_spending": "研发经费"}
    m = msg("errors.several", count=3)
    assert m == "3 problems" and isinstance(m, str)
    assert m.render("zh") == "3 个问题"
    assert render(m, "zh") == "3 个问题" and render("plain", "zh") == "plain"
    nested = msg("errors.several", count=Ref("zone", "sunan"))
    assert nested.render("zh", lambda kind, i, lang: names[i]) == "江苏苏南 个问题"
    assert str(nested) == "sunan problems"


def test_lists_are_joined_in_the_reader_s_language():
    m = msg("errors.several", count=[Ref("zone", "a"), Ref("zone", "b")])
    assert m.render("zh", lambda k, i, lang: i.upper()) == "A、B 个问题"
    assert m.render("en") == "a, b problems"


def test_message_survives_pickling_with_its_key():
    m = msg("errors.several", count=2)
    back = pickle.loads(pickle.dumps(m))
    assert isinstance(back, Message) and back.key == m.key and back.render("zh") == "2 个问题"


def test_sim_error_renders_each_problem_in_the_language():
    error = ScenarioError([msg("errors.several", count=1), "plain text"], "s.yaml")
    assert str(error) == "s.yaml: 2 problems:\n  - 1 problem\n  - plain text"
    assert error.render("zh") == "s.yaml: 2 个问题：\n  - 1 个问题\n  - plain text"


def test_unknown_key_is_an_error():
    with pytest.raises(KeyError):
        msg("errors.no_such_key")


def test_catalogue_files_load_with_plain_yaml_too():
    for path in LOCALE_DIR.glob("*.yaml"):
        assert isinstance(yaml.safe_load(path.read_text(encoding="utf-8")), dict)
