"""The Plan tab's plan in a share link (issue 13 point 3): :func:`sim.share.plan_params` and
:func:`sim.share.plan_from_params`, without a browser.

A plan carried whole must come back as the same plan (its canonical text); a library plan
by its file name must come back as the library file; anything damaged, oversized or
hostile is refused with a message naming the share link, in both languages.
"""

from __future__ import annotations

import random
import zlib
from pathlib import Path

import pytest
from latin import foreign_words, untyped

from sim.data import load_package
from sim.errors import ScenarioError
from sim.plan import run_plan
from sim.plan.report import year_tables
from sim.scenario import dump_scenario, load_scenario
from sim.share import (
    LINK_SOURCE,
    MAX_LINK_CHARS,
    PLAN_FILE_PARAM,
    PLAN_TEXT_PARAM,
    encode_scenario_text,
    plan_from_params,
    plan_params,
)

ROOT = Path(__file__).resolve().parent.parent
LIBRARY = ROOT / "scenarios"
PLANS = sorted(LIBRARY.glob("plan_*.yaml"))
ONE_YEAR = LIBRARY / "sunan_rd_doubling.yaml"


@pytest.fixture(scope="module")
def package():
    return load_package()


def _refused(params, package, *words, typed=()):
    with pytest.raises(ScenarioError) as info:
        plan_from_params(params, package, LIBRARY)
    message = str(info.value)
    assert message.startswith(f"{LINK_SOURCE}:"), message
    for word in words:
        assert word in message, message
    chinese = info.value.render("zh", package.name)
    assert chinese.startswith("分享链接"), chinese
    assert not foreign_words(untyped(chinese, *typed)), chinese
    return message


def test_there_are_library_plans():
    assert len(PLANS) >= 3


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_a_plan_carried_whole_comes_back_the_same(package, path):
    plan = load_scenario(path, package)
    params = {"v": "1", **plan_params(plan)}
    assert set(params) == {"v", PLAN_TEXT_PARAM}
    assert len(params[PLAN_TEXT_PARAM]) <= MAX_LINK_CHARS
    shared = plan_from_params(params, package, LIBRARY)
    assert not shared.in_library
    assert dump_scenario(shared.scenario) == dump_scenario(plan)
    assert year_tables(run_plan(package, shared.scenario), package, "en") == year_tables(run_plan(package, plan), package, "en")


@pytest.mark.parametrize("path", PLANS, ids=lambda p: p.stem)
def test_a_library_plan_travels_by_its_file_name(package, path):
    params = {"v": ["1"], **{k: [v] for k, v in plan_params(library_name=path.name).items()}}
    assert params[PLAN_FILE_PARAM] == [path.name]
    shared = plan_from_params(params, package, LIBRARY)
    assert shared.in_library and shared.name == path.name
    assert dump_scenario(shared.scenario) == dump_scenario(load_scenario(path, package))


def test_no_plan_parameter_means_no_plan(package):
    assert plan_params() == {}
    assert plan_from_params({"v": "1", "s": "abc", "z": "sunan"}, package, LIBRARY) is None


@pytest.mark.parametrize(
    "name",
    ["../pyproject.toml", "../scenarios/plan_x.yaml", "/etc/passwd", ".hidden.yaml", "plan_nowhere.yaml",
     "plan x.yaml", "a" * 500 + ".yaml", "plan_<b>.yaml"],
)
def test_a_library_name_outside_the_library_is_refused(package, name):
    _refused({"v": "1", PLAN_FILE_PARAM: name}, package, "not in this app's library", typed=[name, "a" * 58])


def test_a_one_year_scenario_is_not_a_plan(package):
    scenario = load_scenario(ONE_YEAR, package)
    _refused({"v": "1", **plan_params(scenario)}, package, "not a plan over years")
    _refused({"v": "1", PLAN_FILE_PARAM: ONE_YEAR.name}, package, "not a plan over years")


def test_a_tampered_plan_link_is_refused_or_still_a_valid_plan(package):
    encoded = plan_params(load_scenario(PLANS[0], package))[PLAN_TEXT_PARAM]
    rng = random.Random(13)
    refused = 0
    for _ in range(40):
        position = rng.randrange(len(encoded))
        replacement = rng.choice([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
                                  if c != encoded[position]])
        tampered = encoded[:position] + replacement + encoded[position + 1:]
        try:
            shared = plan_from_params({"v": "1", PLAN_TEXT_PARAM: tampered}, package, LIBRARY)
        except ScenarioError as exc:
            assert str(exc).startswith(LINK_SOURCE)
            refused += 1
        else:  # a change the checksum cannot see must still give a plan that validates
            assert shared.scenario.is_plan
    assert refused >= 30


@pytest.mark.parametrize(
    "encoded, words",
    [
        ("A" * (MAX_LINK_CHARS + 1), ["'p' parameter", "8,000"]),
        ("", ["'p' parameter", "empty"]),
        ("abc+def", ["'p' parameter", "base64url"]),
    ],
    ids=["oversized", "empty", "not-base64url"],
)
def test_a_damaged_plan_link_says_what_is_wrong(package, encoded, words):
    _refused({"v": "1", PLAN_TEXT_PARAM: encoded}, package, *words)


def test_a_cut_plan_link_is_refused(package):
    encoded = plan_params(load_scenario(PLANS[0], package))[PLAN_TEXT_PARAM]
    for length in (len(encoded) // 2, len(encoded) - 3):
        _refused({"v": "1", PLAN_TEXT_PARAM: encoded[:length]}, package)


def test_a_zip_bomb_plan_is_refused(package):
    import base64

    encoded = base64.urlsafe_b64encode(zlib.compress(b" " * 5_000_000, 9)).decode().rstrip("=")
    _refused({"v": "1", PLAN_TEXT_PARAM: encoded}, package, "more than 100,000 bytes")


def test_a_deeply_nested_plan_is_refused(package):
    text = "version: 1\nname: deep\nyear: 2020\nhorizon: 2022\ndescription: " + "[" * 5000 + "]" * 5000 + "\n"
    _refused({"v": "1", PLAN_TEXT_PARAM: encode_scenario_text(text)}, package)


def test_two_plans_or_no_version_are_refused(package):
    plan = load_scenario(PLANS[0], package)
    _refused({"v": "1", PLAN_FILE_PARAM: PLANS[0].name, **plan_params(plan)}, package, "one plan")
    _refused(plan_params(plan), package, "no format version")
    _refused({"v": "1", PLAN_FILE_PARAM: [PLANS[0].name, PLANS[1].name]}, package, "2 times")
