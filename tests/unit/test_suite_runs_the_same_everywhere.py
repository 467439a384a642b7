"""The suite itself: the same hypothesis examples on every run, the holiday tables pinned."""

from __future__ import annotations

import configparser
from datetime import date
from importlib.metadata import version
from pathlib import Path

from hypothesis import settings

ROOT = Path(__file__).resolve().parents[2]


def test_hypothesis_runs_are_derandomised_bounded_and_untimed_in_ci_and_by_default():
    from tests.conftest import hypothesis_profile

    assert hypothesis_profile({}) == "ci"
    assert hypothesis_profile({"CI": "true", "HYPOTHESIS_PROFILE": "explore"}) == "ci"
    assert hypothesis_profile({"HYPOTHESIS_PROFILE": "explore"}) == "explore"
    ci = settings.get_profile("ci")
    assert ci.derandomize is True and ci.max_examples <= 200 and ci.deadline is None


def test_this_run_uses_the_profile_its_environment_asks_for():
    import os

    from tests.conftest import hypothesis_profile

    assert settings.default == settings.get_profile(hypothesis_profile(os.environ))


def test_the_test_extra_pins_the_holidays_release_the_tests_run_with():
    cfg = configparser.ConfigParser()
    cfg.read(ROOT / "setup.cfg", encoding="utf-8")
    test_extra = [line.strip() for line in cfg["options.extras_require"]["test"].splitlines()]
    runtime = [line.strip() for line in cfg["options"]["install_requires"].splitlines()]
    assert f"holidays=={version('holidays')}" in test_extra
    assert any(r.startswith("holidays>=") for r in runtime)  # users get a range, not a pin


def test_the_pinned_holiday_tables_know_the_days_the_clock_tests_rely_on():
    import holidays

    h = holidays.country_holidays("ID", years=2026, categories=("public", "government"))
    assert date(2026, 8, 17) in h  # Independence Day
    assert date(2026, 1, 1) in h
