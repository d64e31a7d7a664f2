"""Fuzzing (issues 7 and 15): whatever a user feeds in ends in a result or a SimError.

A small budget runs in CI; ``benchmarks/reliability_report.py`` runs the same
targets on the full budget and prints the tally.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fuzzing import (
    Tally,
    hostile_scenario_texts,
    load_and_score_package,
    open_share_link,
    package_files,
    run_scenario_text,
    scenario_texts,
    share_links,
    upload_and_run_scenario,
    upload_and_score_package,
    uploaded_packages,
    uploaded_scenarios,
)

FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow], database=None)


@FUZZ
@given(scenario_texts)
def test_scenario_documents_end_in_a_result_or_a_clean_error(text):
    crash = Tally().record(run_scenario_text, text)
    assert crash is None, f"crash on {text!r}: {crash!r}"


@FUZZ
@given(package_files())
def test_data_packages_end_in_a_result_or_a_clean_error(files):
    crash = Tally().record(load_and_score_package, files)
    assert crash is None, f"crash on {sorted(files)}: {crash!r}"


@FUZZ
@given(share_links)
def test_share_links_end_in_a_result_or_a_clean_error(params):
    crash = Tally().record(open_share_link, params)
    assert crash is None, f"crash on {params!r:.300}: {crash!r}"


HOSTILE = settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck), database=None)


@HOSTILE
@given(hostile_scenario_texts)
def test_hostile_scenario_texts_end_in_a_result_or_a_clean_error(text):
    crash = Tally().record(run_scenario_text, text)
    assert crash is None, f"crash on {text[:300]!r}: {crash!r}"


@HOSTILE
@given(uploaded_packages())
def test_uploaded_packages_end_in_a_result_or_a_clean_error(files):
    crash = Tally().record(upload_and_score_package, files)
    assert crash is None, f"crash on {sorted(files)}: {crash!r}"


@HOSTILE
@given(uploaded_scenarios)
def test_uploaded_scenarios_end_in_a_result_or_a_clean_error(upload):
    crash = Tally().record(upload_and_run_scenario, upload)
    assert crash is None, f"crash on {upload[0]!r}, {upload[1][:300]!r}: {crash!r}"
