"""The runner of the documented examples: it compares strictly, and a refresh never passes."""

from __future__ import annotations

from tests.docs.markdown_examples import UPDATE_VAR, Names, parse, run_page

PAGE = """# A page

```console
$ lpsectl init helpdesk
Helpdesk ready in ~/somewhere-else
$ cd helpdesk
$ lpsectl new -q -c wa --name Sari --phone 0812 -s Tanya --at 2026-08-13T09:00
2608-CD4JSQ
$ lpsectl show CD4
2608-CD4JSQ  question via whatsapp  [open, helpdesk]  OVERDUE
...
```
"""


def test_a_wrong_output_fails_and_leaves_the_page_alone(tmp_path, lpsectl_cmd, monkeypatch):
    monkeypatch.delenv(UPDATE_VAR, raising=False)
    page_file = tmp_path / "page.md"
    page_file.write_text(PAGE)
    home = tmp_path / "home"
    home.mkdir()
    failures = run_page(parse(page_file), home, lpsectl_cmd)
    assert [f.command.text for f in failures] == ["lpsectl init helpdesk"]
    assert failures[0].actual == ["Helpdesk ready in ~/helpdesk"]
    assert page_file.read_text() == PAGE


def test_a_refresh_rewrites_the_output_and_still_fails_then_the_next_run_passes(tmp_path, lpsectl_cmd, monkeypatch):
    page_file = tmp_path / "page.md"
    page_file.write_text(PAGE)
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    monkeypatch.setenv(UPDATE_VAR, "1")
    assert run_page(parse(page_file), tmp_path / "one", lpsectl_cmd)  # rewriting is no pass
    assert page_file.read_text() == PAGE.replace("~/somewhere-else", "~/helpdesk")
    monkeypatch.delenv(UPDATE_VAR)
    assert run_page(parse(page_file), tmp_path / "two", lpsectl_cmd) == []


def test_an_id_shown_stands_for_one_real_id_only():
    names = Names()
    assert names.match(["2608-CD4JSQ opened"], ["2608-XM6JNQ opened"])
    assert not names.match(["2608-EUJU2M opened"], ["2608-XM6JNQ opened"])  # taken by CD4JSQ
    assert not names.match(["2608-CD4JSQ answered"], ["2608-AH33F9 answered"])
    assert names.real_arg("cd4") == "2608-XM6JNQ"
    assert names.real_arg("Perlu") == "Perlu"


def test_an_id_must_keep_its_month_and_its_length():
    assert not Names().match(["2608-CD4JSQ"], ["2609-XM6JNQ"])
    assert not Names().match(["2608-CD4JSQ"], ["2608-XM6JN"])


def test_dots_stand_for_lines_left_out_and_nothing_else():
    assert Names().match(["a", "...", "d"], ["a", "b", "c", "d"])
    assert Names().match(["a", "...", "d"], ["a", "d"])
    assert not Names().match(["a", "...", "d"], ["a", "b", "c"])
    assert not Names().match(["a", "c"], ["a", "b", "c"])


def test_a_refresh_keeps_a_shortened_output_shortened():
    from tests.docs.markdown_examples import shortened

    shown = ["# Recap", "...", "| late | 0 |", "| on time | 3 |", "...", "end"]
    real = ["# Recap", "", "| total | 6 |", "| late | 2 |", "| on time | 3 |", "| open | 1 |", "end"]
    new = shortened(shown, real)
    assert new == ["# Recap", "...", "| late | 2 |", "| on time | 3 |", "...", "end"]
    assert Names().match(new, real)


def test_a_refreshed_output_always_matches_the_real_one_however_it_changed():
    from tests.docs.markdown_examples import refreshed

    shown = ["a", "b", "...", "y", "z"]
    for real in (["a", "z"], [], ["q"], ["a", "b", "c", "y", "z"], list("abcdefghyz"), ["a", "b", "y"]):
        assert Names().match(refreshed(shown, real), real), real
    assert refreshed(["a", "...", "z"], ["a", "b", "z"]) == ["a", "...", "z"]
