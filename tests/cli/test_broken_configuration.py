"""A broken lpsectl.yaml: one error naming the file and the key, nothing written."""

from __future__ import annotations

import pytest

from tests.cli.test_errors import refused

AT = "2026-08-13T09:00"


# -- broken lpsectl.yaml ------------------------------------------------------------

@pytest.mark.parametrize("edit, says", [
    (lambda t: t.replace("closed_days: []", "closed_days: [2026-02-30]"),
     "closed_days: '2026-02-30' is not a date YYYY-MM-DD"),
    (lambda t: t.replace("easy: 2", "easy: 100000000"), "sla.resolution.easy: 100000000 days is more than 1000"),
    (lambda t: t.replace("first_response: 1", "first_response: 99999999"),
     "sla.first_response: 99999999 days is more than 1000"),
    (lambda t: t.replace("attachment_max_bytes: 10485760", "attachment_max_bytes: -1"),
     "attachment_max_bytes: must be a whole number of bytes, not -1"),
])
def test_a_bad_value_in_the_configuration_is_one_error_and_nothing_written(run, helpdesk, edit, says):
    cfg = helpdesk / "lpsectl.yaml"
    cfg.write_text(edit(cfg.read_text(encoding="utf-8")), encoding="utf-8")
    line = refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "-m", "x", "-d", "easy", "--at", AT)
    # The file, the key, what is wrong with its value, and what to do.
    assert line == f"Error: {cfg}: {says}; fix lpsectl.yaml"


def test_a_configuration_that_is_not_utf8_is_one_error(run, helpdesk):
    cfg = helpdesk / "lpsectl.yaml"
    cfg.write_bytes(cfg.read_bytes().replace(b"Payakumbuh", b"Payakumbuh\xff"))
    line = refused(run, helpdesk, 2, "list")
    assert "lpsectl.yaml" in line and "UTF-8" in line
