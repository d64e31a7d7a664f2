"""Share links (sim/share.py), slider binding and the interventions table (sim/whatif.py), without a browser."""

from __future__ import annotations

import base64
import dataclasses
import random
import time
import zlib
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.data import load_package
from sim.engine import apply_scenario
from sim.errors import ScenarioError
from sim.scenario import dump_scenario, format_percent, parse_scenario, scenario_from_dict
from sim.share import (
    LINK_SOURCE,
    MAX_LINK_CHARS,
    MAX_LINK_DECODED,
    decode_scenario_text,
    encode_scenario_text,
    scenario_from_params,
    share_params,
)
from sim.whatif import (
    AMOUNT,
    PERCENT,
    apply_editor_state,
    bound_intervention,
    intervention_rows,
    rows_frame,
    rows_to_interventions,
    shared_cell,
    slider_spec,
    slider_value,
    with_interventions,
    with_slider,
    without_zone_sliders,
)

RICH = """\
version: 1
name: Sunan R&D push <b>bold</b>
name_zh: 苏南研发投入倍增
description: |
  Provincial matching fund doubles enterprise R&D.
  Second line: 第二行。
year: 2019
method:
  normalization: minmax-shift
  weights: baseline
interventions:
- zone: zhangjiang
  indicator: rd_spending
  by: +100%
  note: doubled
- zone: [zhangjiang, shenzhen]
  indicator: [patents]
  by: 3
- zone: all
  indicator: energy_intensity
  to: 0.2
links:
- from: energy_intensity
  to: patents
  elasticity: -0.1
"""


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


# ----------------------------------------------------------------------------- links


def test_round_trip_keeps_the_exact_scenario(tiny_package):
    scenario = parse_scenario(RICH, tiny_package, source="rich.yaml")
    params = share_params(scenario, z="shenzhen", lang="en")
    assert params["v"] == "1" and params["z"] == "shenzhen" and params["lang"] == "en"
    again = scenario_from_params(params, tiny_package)
    assert again.source == LINK_SOURCE
    assert dump_scenario(again) == dump_scenario(scenario)
    assert again.interventions == tuple(
        i.__class__(**{**i.__dict__, "line": j.line}) for i, j in zip(scenario.interventions, again.interventions)
    )


def test_params_are_url_safe_and_small(tiny_package):
    params = share_params(parse_scenario(RICH, tiny_package), z="shenzhen")
    assert set(params["s"]) <= set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")
    assert len(params["s"]) < 1000


def test_query_params_as_lists_are_accepted(tiny_package):
    params = share_params(parse_scenario(RICH, tiny_package))
    as_lists = {k: [v] for k, v in params.items()}
    assert dump_scenario(scenario_from_params(as_lists, tiny_package)) == dump_scenario(
        scenario_from_params(params, tiny_package)
    )


def test_no_scenario_parameter_means_no_scenario(tiny_package):
    assert scenario_from_params({"z": "shenzhen"}, tiny_package) is None


def _refused(params, package, *words):
    with pytest.raises(ScenarioError) as info:
        scenario_from_params(params, package)
    message = str(info.value)
    assert message.startswith(f"{LINK_SOURCE}:"), message
    for word in words:
        assert word in message, message
    return message


@pytest.mark.parametrize(
    "encoded, words",
    [
        ("", ["empty"]),
        ("   ", ["empty"]),
        ("<script>alert(1)</script>", ["'<'", "base64url"]),
        ("abc+def/ghi=", ["'+'", "base64url"]),
        ("A", ["base64url"]),
        (_b64(b"hello, not zlib at all"), ["damaged", "decompress"]),
        (_b64(zlib.compress(b"version: 1\nname: x\nyear: 2020\n")[:-6]), ["damaged"]),
        (_b64(zlib.compress(b"version: 1\n") + b"trailing"), ["damaged", "extra data"]),
        (_b64(zlib.compress(b"\xff\xfe\x00 not utf-8")), ["not UTF-8"]),
    ],
    ids=["empty", "blank", "html", "plain-base64", "one-char", "not-zlib", "truncated", "trailing", "not-utf8"],
)
def test_garbage_links_are_refused_with_a_clear_message(tiny_package, encoded, words):
    _refused({"v": "1", "s": encoded}, tiny_package, *words)


def test_tampered_link_is_refused(tiny_package):
    encoded = share_params(parse_scenario(RICH, tiny_package))["s"]
    rng = random.Random(5)
    for _ in range(50):
        position = rng.randrange(len(encoded))
        replacement = rng.choice([c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_" if c != encoded[position]])
        tampered = encoded[:position] + replacement + encoded[position + 1:]
        try:
            scenario = scenario_from_params({"v": "1", "s": tampered}, tiny_package)
        except ScenarioError as exc:
            assert str(exc).startswith(LINK_SOURCE)
        else:  # a change the checksum cannot see must still give a valid scenario
            assert scenario.year in tiny_package.years


def test_cut_link_is_refused(tiny_package):
    encoded = share_params(parse_scenario(RICH, tiny_package))["s"]
    _refused({"v": "1", "s": encoded[: len(encoded) // 2]}, tiny_package)


def test_oversized_link_is_refused_before_decoding(tiny_package):
    _refused({"v": "1", "s": "A" * (MAX_LINK_CHARS + 1)}, tiny_package, "8,000")


def test_zip_bomb_is_refused_without_expanding(tiny_package):
    bomb = zlib.compress(b" " * 5_000_000, 9)  # 5 MB of spaces in about 5 kB
    encoded = _b64(bomb)
    assert len(encoded) <= MAX_LINK_CHARS
    started = time.perf_counter()
    _refused({"v": "1", "s": encoded}, tiny_package, "more than 100,000 bytes")
    assert time.perf_counter() - started < 1.0


def test_version_is_required_and_checked(tiny_package):
    encoded = share_params(parse_scenario(RICH, tiny_package))["s"]
    _refused({"s": encoded}, tiny_package, "no format version")
    _refused({"v": "2", "s": encoded}, tiny_package, "'2'", "not supported", "v=1")
    _refused({"v": "1", "s": [encoded, encoded]}, tiny_package, "given 2 times")


def test_invalid_scenario_in_a_link_names_the_field(tiny_package):
    text = "version: 1\nname: x\nyear: 2020\ninterventions:\n- {zone: shenzen, indicator: patents, by: 1}\n"
    encoded = encode_scenario_text(text)
    message = _refused({"v": "1", "s": encoded}, tiny_package, "line 5", "unknown zone 'shenzen'", "did you mean 'shenzhen'")
    assert "interventions[0].zone" in message


def test_yaml_tricks_in_a_link_are_refused(tiny_package):
    alias = "version: 1\nname: &n x\nname_zh: *n\nyear: 2020\n"
    _refused({"v": "1", "s": encode_scenario_text(alias)}, tiny_package, "anchors and aliases")
    tag = "version: 1\nname: !!python/object/apply:os.system ['echo hi']\nyear: 2020\n"
    _refused({"v": "1", "s": encode_scenario_text(tag)}, tiny_package, "tag")


def test_scenario_too_large_for_a_link_is_refused_when_encoding(tiny_package):
    rng = random.Random(1)
    noise = "".join(chr(rng.randrange(0x4E00, 0x9FA5)) for _ in range(9_000))  # CJK text does not compress
    scenario = parse_scenario(f"version: 1\nname: x\nyear: 2020\ndescription: {noise}\n", tiny_package)
    with pytest.raises(ScenarioError, match="share the file instead"):
        share_params(scenario)
    with pytest.raises(ScenarioError, match="100,000"):
        encode_scenario_text("x" * (MAX_LINK_DECODED + 1))


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=300) | st.from_regex(r"[A-Za-z0-9_-]{0,400}", fullmatch=True))
def test_any_s_parameter_gives_a_scenario_or_a_clear_error(text):
    package = _TINY
    try:
        scenario = scenario_from_params({"v": "1", "s": text}, package)
    except ScenarioError as exc:
        assert str(exc).startswith(LINK_SOURCE) and len(str(exc)) < 2000
    else:
        assert scenario is None or scenario.year in package.years


@settings(max_examples=200, deadline=None)
@given(st.binary(max_size=2000))
def test_any_compressed_payload_gives_a_scenario_or_a_clear_error(payload):
    try:
        scenario_from_params({"v": "1", "s": _b64(zlib.compress(payload))}, _TINY)
    except ScenarioError as exc:
        assert str(exc).startswith(LINK_SOURCE)


_TINY = load_package(Path(__file__).resolve().parent / "packages" / "tiny")


# ----------------------------------------------------------------------------- sliders


def test_slider_kinds_follow_the_integer_column(shipped):
    year, zone = shipped.years[-1], shipped.zone_ids[0]
    for indicator in shipped.indicator_ids:
        spec = slider_spec(shipped, year, zone, indicator)
        assert spec.kind == (AMOUNT if shipped.indicators.at[indicator, "integer"] else PERCENT)
        assert spec.low <= 0 <= spec.high
        assert spec.low % spec.step == 0 and spec.high % spec.step == 0


def test_slider_ends_stay_inside_the_valid_range(shipped):
    """Every slider end is a change the engine accepts: the indicator's and its links' targets' min/max hold."""
    for year in shipped.years:
        table = shipped.table(year)
        for zone in shipped.zone_ids:
            for indicator in shipped.indicator_ids:
                spec = slider_spec(shipped, year, zone, indicator, table)
                for end in {spec.low, spec.high} - {0}:
                    by = end if spec.kind == AMOUNT else format_percent(end)
                    scenario = _scenario(shipped, [{"zone": zone, "indicator": indicator, "by": by}], year)
                    apply_scenario(shipped, scenario)  # raises ScenarioError when out of range


def test_slider_range_follows_identity_links(tiny_package):
    """tiny links rd_spending -> patents with elasticity 0.5; a cap on patents caps the R&D slider."""
    import pandas as pd

    indicators = tiny_package.indicators.copy()
    indicators.loc["patents", "max"] = 150.0
    package = dataclasses.replace(tiny_package, indicators=indicators)
    table = pd.DataFrame({"rd_spending": [100.0], "patents": [100.0], "energy_intensity": [1.0]}, index=["z"])
    spec = slider_spec(package, 2020, "z", "rd_spending", table)
    assert spec.high == 100  # +100% R&D -> +50% patents = 150, the cap


def test_share_slider_is_capped_at_100_percent(tiny_package):
    # A share of 60 % can grow by at most 66 % before it passes 100 %.
    import pandas as pd

    table = pd.DataFrame({"rd_spending": [60.0], "patents": [10.0]}, index=["zone"])
    package = tiny_package
    indicators = package.indicators.copy()
    indicators.loc["rd_spending", "max"] = 100.0
    spec = slider_spec(dataclasses.replace(package, indicators=indicators), 2020, "zone", "rd_spending", table)
    assert spec.high == 66 and spec.low == -90


def test_zero_baseline_disables_the_relative_slider(tiny_package):
    import pandas as pd

    table = pd.DataFrame({"rd_spending": [0.0], "patents": [10.0]}, index=["z"])
    spec = slider_spec(tiny_package, 2020, "z", "rd_spending", table)
    assert spec.disabled


def _scenario(package, interventions, year=2020):
    return scenario_from_dict({"version": 1, "name": "t", "year": year, "interventions": interventions}, package)


def test_slider_shows_and_edits_its_own_intervention(tiny_package):
    zones = tiny_package.zone_ids
    scenario = _scenario(tiny_package, [{"zone": "shenzhen", "indicator": "rd_spending", "by": "+20%", "note": "kept"}])
    spec = slider_spec(tiny_package, 2020, "shenzhen", "rd_spending")
    assert bound_intervention(scenario, spec, "shenzhen", zones) == 0
    assert slider_value(scenario, spec, "shenzhen", zones) == 20
    assert slider_value(scenario, spec, "zhangjiang", zones) == 0

    moved = scenario_from_dict(with_slider(scenario, spec, "shenzhen", 35, zones), tiny_package)
    assert [(i.percent, i.note) for i in moved.interventions] == [(35.0, "kept")]
    removed = scenario_from_dict(with_slider(moved, spec, "shenzhen", 0, zones), tiny_package)
    assert removed.interventions == ()


def test_count_slider_writes_a_whole_number(tiny_package):
    zones = tiny_package.zone_ids
    scenario = _scenario(tiny_package, [])
    spec = slider_spec(tiny_package, 2020, "zhangjiang", "patents")
    document = with_slider(scenario, spec, "zhangjiang", 5, zones)
    assert document["interventions"] == [{"zone": "zhangjiang", "indicator": "patents", "by": 5}]
    assert "by: 5\n" in dump_scenario(scenario_from_dict(document, tiny_package))


def test_slider_appends_after_other_interventions_on_its_cell(tiny_package):
    zones = tiny_package.zone_ids
    scenario = _scenario(tiny_package, [{"zone": "all", "indicator": "rd_spending", "by": "+10%"}])
    spec = slider_spec(tiny_package, 2020, "shenzhen", "rd_spending")
    assert slider_value(scenario, spec, "shenzhen", zones) == 0
    assert shared_cell(scenario, spec, "shenzhen", zones)
    moved = scenario_from_dict(with_slider(scenario, spec, "shenzhen", 20, zones), tiny_package)
    assert [i.zones for i in moved.interventions] == [("all",), ("shenzhen",)]
    assert slider_value(moved, spec, "shenzhen", zones) == 20
    applied = apply_scenario(tiny_package, moved).values
    base = tiny_package.table(2020)
    assert applied.at["shenzhen", "rd_spending"] == pytest.approx(base.at["shenzhen", "rd_spending"] * 1.1 * 1.2)


def test_slider_does_not_bind_what_it_cannot_show(tiny_package):
    zones = tiny_package.zone_ids
    spec = slider_spec(tiny_package, 2020, "shenzhen", "rd_spending")
    for item in (
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+12.5%"},  # between slider steps
        {"zone": "shenzhen", "indicator": "rd_spending", "by": 10},  # absolute change of an amount
        {"zone": "shenzhen", "indicator": "rd_spending", "to": 500},
        {"zone": ["shenzhen", "zhangjiang"], "indicator": "rd_spending", "by": "+10%"},
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+5000%"},  # beyond the slider
    ):
        scenario = _scenario(tiny_package, [item])
        assert bound_intervention(scenario, spec, "shenzhen", zones) is None, item
        assert slider_value(scenario, spec, "shenzhen", zones) == 0


def test_reset_zone_removes_only_that_zones_slider_changes(tiny_package):
    zones = tiny_package.zone_ids
    scenario = _scenario(tiny_package, [
        {"zone": "shenzhen", "indicator": "rd_spending", "by": "+20%"},
        {"zone": "zhangjiang", "indicator": "rd_spending", "by": "+20%"},
        {"zone": "shenzhen", "indicator": "patents", "to": 200},
    ])
    specs = [slider_spec(tiny_package, 2020, "shenzhen", i) for i in tiny_package.indicator_ids]
    left = scenario_from_dict(without_zone_sliders(scenario, specs, "shenzhen", zones), tiny_package)
    assert [(i.zones, i.to) for i in left.interventions] == [(("zhangjiang",), None), (("shenzhen",), 200)]


# ----------------------------------------------------------------------------- table


def test_table_rows_round_trip(tiny_package):
    scenario = parse_scenario(RICH, tiny_package)
    rows = intervention_rows(scenario)
    assert rows[0] == {"zone": "zhangjiang", "indicator": "rd_spending", "change": "by %", "value": 100.0, "note": "doubled"}
    assert rows[1]["zone"] == "zhangjiang, shenzhen"
    again = scenario_from_dict(with_interventions(scenario, rows_to_interventions(rows, tiny_package)), tiny_package)
    assert dump_scenario(again) == dump_scenario(scenario)
    frame = rows_frame(rows)
    assert list(frame.columns) == ["zone", "indicator", "change", "value", "note"]
    assert frame["value"].dtype == "float64"


def test_table_accepts_names_in_either_language(tiny_package):
    rows = [
        {"zone": "深圳，上海张江", "indicator": "R&D expenditure", "change": "by %", "value": 10, "note": None},
        {"zone": "all", "indicator": "发明专利授权量", "change": None, "value": "5", "note": ""},
    ]
    items = rows_to_interventions(rows, tiny_package)
    assert items == [
        {"zone": ["shenzhen", "zhangjiang"], "indicator": "rd_spending", "by": "+10%"},
        {"zone": "all", "indicator": "patents", "by": "+5%"},
    ]


def test_table_gaps_are_named_by_the_validator(tiny_package):
    scenario = _scenario(tiny_package, [])
    rows = [{"zone": None, "indicator": "patents", "change": "by", "value": float("nan"), "note": None}]
    with pytest.raises(ScenarioError) as info:
        scenario_from_dict(with_interventions(scenario, rows_to_interventions(rows, tiny_package)), tiny_package,
                           source="interventions table")
    message = str(info.value)
    assert "interventions table" in message and "'zone' is required" in message and "exactly one of 'by' or 'to'" in message


def test_empty_rows_are_dropped(tiny_package):
    rows = [{"zone": "", "indicator": None, "change": None, "value": float("nan"), "note": ""}]
    assert rows_to_interventions(rows, tiny_package) == []


def test_editor_state_edits_deletes_and_adds(tiny_package):
    rows = intervention_rows(parse_scenario(RICH, tiny_package))
    state = {
        "edited_rows": {0: {"value": 50.0}, "2": {"note": "all of them"}},
        "deleted_rows": [1],
        "added_rows": [{"zone": "shenzhen", "indicator": "patents", "change": "to", "value": 170}],
    }
    edited = apply_editor_state(rows, state)
    assert [r["zone"] for r in edited] == ["zhangjiang", "all", "shenzhen"]
    assert edited[0]["value"] == 50.0 and edited[1]["note"] == "all of them"
    assert edited[2] == {"zone": "shenzhen", "indicator": "patents", "change": "to", "value": 170, "note": None}
    assert rows[0]["value"] == 100.0  # the input is not changed
    assert apply_editor_state(rows, None) == rows


def test_text_codec_round_trips_unicode():
    text = "version: 1\nname: 苏南 R&D «push» ✓\nyear: 2020\n"
    assert decode_scenario_text(encode_scenario_text(text)) == text


# ----------------------------------------------------------------------------- issue 15: well-formed hostile links


def _link(text: str) -> dict[str, str]:
    return {"v": "1", "s": _b64(zlib.compress(text.encode("utf-8", "surrogatepass"), 9))}


def test_a_147_character_link_to_20000_levels_of_nesting_is_refused(shipped):
    params = _link("version: 1\nname: x\nyear: 2020\ninterventions: " + "[" * 20_000 + "]" * 20_000 + "\n")
    assert len(params["s"]) < 200
    with pytest.raises(ScenarioError, match="share link: line 4: nested more than 50 levels deep"):
        scenario_from_params(params, shipped)


def test_a_266_character_link_to_49001_zones_gives_one_short_message(shipped):
    params = _link("version: 1\nname: x\nyear: 2020\ninterventions: [{zone: [" + ",".join(["x"] * 49_001)
                   + "], indicator: unicorns, by: 1}]\n")
    assert len(params["s"]) < 400
    with pytest.raises(ScenarioError) as refused:
        scenario_from_params(params, shipped)
    assert "49,001 entries" in str(refused.value) and len(str(refused.value)) < 300


def test_a_link_with_control_characters_or_a_huge_number_is_refused(shipped):
    with pytest.raises(ScenarioError, match="control character U\\+001B"):
        scenario_from_params(_link('version: 1\nname: "a\\x1b[2Jb"\nyear: 2020\n'), shipped)
    with pytest.raises(ScenarioError, match="5,000 digits"):
        scenario_from_params(_link("version: 1\nname: x\nyear: " + "9" * 5000 + "\n"), shipped)
