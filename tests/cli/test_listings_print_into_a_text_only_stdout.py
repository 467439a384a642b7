"""A listing written as UTF-8 bytes still prints where stdout takes only text.

``list`` writes its table and JSON as the bytes SQL joined; the demo runs
each step with stdout redirected into a ``StringIO``, which has no binary
side to take them.
"""

from __future__ import annotations

import contextlib
import io
import json

from lpsectl.cli import cli

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def printed(run, *args: str) -> str:
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        code = cli.main(args=["--home", str(run.home), "--operator", "Rina", *args], standalone_mode=False)
    assert code in (0, None)
    return buf.getvalue()


def test_a_listing_prints_its_table_and_its_json_into_a_text_only_stdout(run):
    tid = run.new(*PHONE, "-s", "Lupa password 漢字", "--at", "2026-08-03T09:00")
    run.ok("list")  # the index built
    table = printed(run, "list")
    assert table == run.ok("list") and tid in table and "漢字" in table
    rows = json.loads(printed(run, "list", "--json"))
    assert [r["id"] for r in rows] == [tid]
