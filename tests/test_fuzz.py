"""Fuzzing (issue 7): whatever a user feeds in ends in a result or a SimError.

A small budget runs in CI; ``benchmarks/reliability_report.py`` runs the same
targets on the full budget and prints the tally.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings

from fuzzing import (
    Tally,
    load_and_score_package,
    open_share_link,
    package_files,
    run_scenario_text,
    scenario_texts,
    share_links,
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
