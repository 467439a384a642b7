"""``overdue_rows`` writes the overdue table of report.html.j2 exactly as the loop it stands for.

The built-in HTML recap has lpsectl write the rows of its overdue table (a
year's list is tens of thousands of rows); the template's comment shows the
Jinja2 loop they stand for, and anyone may write that loop instead. Both are
rendered here, in the sandbox with autoescape as every HTML template is, on
rows with text that needs escaping, missing subjects, both languages, public
or not.
"""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import reports
from lpsectl.model import TIER

WIB = ZoneInfo("Asia/Jakarta")


def _loop_in_the_template() -> str:
    """The loop as the comment of the built-in report.html.j2 shows it (so the comment stays true)."""
    text = (reports.builtin_templates() / "report.html.j2").read_text(encoding="utf-8")
    found = re.search(r"\n( *)(\{% for o in report\.overdue %\}\n.*?\{% endfor %\})\n", text, re.S)
    assert found, "the comment of the overdue table shows its loop"
    indent = found.group(1)
    return "\n".join(line[len(indent):] if line.startswith(indent) else line
                     for line in found.group(2).split("\n")) + "\n"


def _render(source: str, overdue: list[dict], public: bool, lang: str) -> str:
    env = reports.environment()
    env.autoescape = True  # as for report.html.j2
    context = reports._context(lang, WIB, report={"overdue": overdue, "public": public})
    return env.render_bounded(env.from_string(source), context)


moments = st.datetimes(min_value=datetime(2024, 1, 1), max_value=datetime(2027, 12, 31),
                       timezones=st.just(WIB)).map(lambda t: t.replace(microsecond=0).isoformat())
row = st.fixed_dictionaries({
    "id": st.sampled_from(["2608-AAAA22", "2608-BBBB33", "<b>&\"'"]),
    "subject": st.one_of(st.none(), st.just(""), st.just("<script>alert('x') & \"y\"</script>"), st.text()),
    "channel": st.just("phone"), "kind": st.just("question"), "tier": st.sampled_from(list(TIER)),
    "difficulty": st.just("easy"), "created_at": moments, "due_at": moments,
    "days_late": st.integers(1, 2_000),
})


@settings(max_examples=60, derandomize=True, deadline=None)
@given(st.lists(row, min_size=1, max_size=8), st.booleans(), st.sampled_from(reports.LANGUAGES))
def test_the_helper_writes_the_rows_the_loop_writes(overdue, public, lang):
    written = _render("{{ overdue_rows(report.overdue, report.public) }}", overdue, public, lang)
    assert written == _render(_loop_in_the_template(), overdue, public, lang)


def test_what_a_reporter_wrote_is_escaped_and_a_public_table_has_no_subject():
    overdue = [{"id": "2608-AAAA22", "subject": "<script>alert(1)</script> & co", "channel": "phone",
                "kind": "question", "tier": "lkpp", "difficulty": "easy", "created_at": "2026-08-03T09:00:00+07:00",
                "due_at": "2026-08-05T16:00:00+07:00", "days_late": 3}]
    shown = _render("{{ overdue_rows(report.overdue, report.public) }}", overdue, False, "en")
    assert "<script>" not in shown and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in shown
    assert shown == ('<tr><td class="id">2608-AAAA22</td><td class="text">&lt;script&gt;alert(1)&lt;/script&gt; '
                     '&amp; co</td><td>LKPP-RI helpdesk</td><td class="id">5 August 2026 16:00 WIB</td>'
                     '<td class="n">3</td></tr>\n')
    public = _render("{{ overdue_rows(report.overdue, report.public) }}", overdue, True, "en")
    assert "script" not in public and 'class="text"' not in public
