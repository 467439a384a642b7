"""Where report and receipt output goes, and templates that try to exhaust the machine."""

from __future__ import annotations

import os
import stat

import pytest

AT = "2026-08-13T09:00"


# -- report and receipt output --------------------------------------------------------

def test_report_into_a_missing_folder_exits_2_and_makes_no_folder(run, tmp_path):
    target = tmp_path / "no" / "such" / "rekap.md"
    result = run("report", "--month", "2026-08", "-o", str(target))
    assert result.exit_code == 2
    assert result.stderr.startswith("Error: ") and len(result.stderr.splitlines()) == 1
    assert "no such folder" in result.stderr
    assert not (tmp_path / "no").exists()


def test_report_with_an_empty_output_name_exits_2(run):
    result = run("report", "--month", "2026-08", "-o", "")
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and "-o" in result.stderr


@pytest.mark.parametrize("args, words", [
    (("report", "--month", "2026-08", "-f", "html", "-o", "rekap.md"), "--format html but -o"),
    (("report", "--month", "2026-08", "-o", "rekap.txt"), "report writes no .txt file"),
    (("receipt", "{tid}", "-o", "tanda-terima.json"), "receipt writes no .json file"),
    (("receipt", "{tid}", "-f", "html", "-o", "tanda-terima.txt"), "--format html but -o"),
])
def test_an_output_extension_that_contradicts_the_format_exits_2(run, tmp_path, args, words):
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    args = tuple(a.format(tid=tid) for a in args)
    out = tmp_path / args[-1]
    result = run(*args[:-1], str(out))
    assert result.exit_code == 2, result.stderr
    assert result.stderr.startswith("Error: ") and words in result.stderr
    assert not out.exists()


def test_a_template_that_multiplies_text_without_end_is_refused(run, helpdesk):
    (helpdesk / "templates").mkdir()
    (helpdesk / "templates" / "report.md.j2").write_text("{{ 'x' * 10**10 }}", encoding="utf-8")
    result = run("report", "--month", "2026-08")
    assert result.exit_code == 1
    assert "templates/report.md.j2:1" in result.stderr and len(result.stderr.splitlines()) == 1


@pytest.mark.parametrize("grow", ["l.extend(l)", "l.append(0) or l.extend(l)", "l.extend(l * 2)"])
def test_a_template_that_grows_a_list_in_place_without_end_is_refused(run, helpdesk, grow):
    # A loop over a list that doubles it on every pass: bounded by size, as ``+`` and ``*`` are,
    # long before the step budget would stop it (tens of millions of items later).
    (helpdesk / "templates").mkdir()
    (helpdesk / "templates" / "report.md.j2").write_text(
        "{% set l = [0] %}{% for x in l %}{% if " + grow + " %}{% endif %}{% endfor %}", encoding="utf-8")
    result = run("report", "--month", "2026-08")
    assert result.exit_code == 1
    assert "templates/report.md.j2:1" in result.stderr and len(result.stderr.splitlines()) == 1
    assert "is too long (at most 1,000,000)" in result.stderr, result.stderr


def test_a_template_may_still_multiply_small_things(run, helpdesk):
    (helpdesk / "templates").mkdir()
    (helpdesk / "templates" / "report.md.j2").write_text("{{ '=' * 3 }} {{ 2 ** 3 }} {{ [1] * 2 }}", encoding="utf-8")
    assert run.ok("report", "--month", "2026-08") == "=== 8 [1, 1]"


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")
@pytest.mark.parametrize("args", [
    ("report", "--month", "2026-08"),
    ("receipt", "{tid}"),
    ("privacy", "export", "{tid}"),
])
def test_output_into_a_named_pipe_is_written_into_it_never_put_in_its_place(run, tmp_path, args):
    # A device such as /dev/null is the same case: renaming a file over it
    # would leave a plain file where the device was, for the whole machine.
    tid = run.new("-c", "kotak-saran", "-m", "x", "--at", AT)
    pipe = tmp_path / "out"
    os.mkfifo(pipe)
    reader = os.open(pipe, os.O_RDONLY | os.O_NONBLOCK)  # lets the writer open without waiting
    try:
        result = run(*(a.format(tid=tid) for a in args), "-o", str(pipe))
        assert result.exit_code == 0, result.stderr
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode), "the named pipe was replaced by a file"
        received = os.read(reader, 1 << 20)
    finally:
        os.close(reader)
    assert received and (tid.encode() in received or b"2026" in received)


def test_output_to_a_folder_exits_2(run, tmp_path):
    result = run("report", "--month", "2026-08", "-o", str(tmp_path))
    assert result.exit_code == 2 and result.stdout == ""
    assert result.stderr.startswith("Error: ") and "it is a folder" in result.stderr
