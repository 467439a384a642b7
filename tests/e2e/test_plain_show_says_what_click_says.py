"""`lpsectl show ID [--json]` runs without click, and says exactly what the click command says.

The console script answers the plainest forms of `show` itself
(lpsectl.launch), with the same code that computes and prints, and hands
every other command line to click. Each command line below runs through the
installed `lpsectl` twice, once as it comes and once with every line sent
to click (LPSECTL_CLICK_ONLY=1): stdout, stderr and the exit status must be
the same, errors included.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from lpsectl.launch import PlainShow, plain_show
from tests.conftest import git, ticket_file

PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


@pytest.fixture
def desk(run):
    """A helpdesk with two tickets whose random parts share a start, one with terminal escapes, one damaged."""
    a = run.new(*PHONE, "-s", "Lupa password", "-m", "Tidak bisa masuk", "--at", "2026-08-13T09:00")
    b = run.new("-c", "kotak-saran", "-s", "Ruang \x1b[31mtunggu\x1b[0m panas", "--at", "2026-08-14T10:00")
    run.ok("answer", b, "-m", "Sudah diperbaiki", "--at", "2026-08-14T11:00")
    damaged = ticket_file(run.home, a).with_name("2608-DDDDDD.yaml")
    damaged.write_text("schema: 1\nid: 2608-DDDDDD\nchannel: [\n", encoding="utf-8")
    run("list")  # the index keeps the holidays (the list passes over the damaged file, exit 1)
    return {"a": a, "b": b}


def both(lpsectl_cmd, home, args: list[str], env: dict[str, str]) -> tuple:
    """(exit status, stdout, stderr) of ``args`` as it comes, and sent to click; asserted equal."""
    out = []
    for click_only in ("", "1"):
        full = dict(os.environ, **env, LPSECTL_CLICK_ONLY=click_only)
        proc = subprocess.run([*lpsectl_cmd, *args], cwd=home, env=full, capture_output=True, timeout=120)
        out.append((proc.returncode, proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")))
    assert out[0] == out[1], args
    return out[0]


def test_every_form_says_the_same_with_and_without_click(desk, run, lpsectl_cmd):
    a, b = desk["a"], desk["b"]
    home = str(run.home)
    en, idn = {"LPSECTL_LANG": "en"}, {"LPSECTL_LANG": "id"}
    table = [
        # (arguments, environment, exit status)
        (["show", a], en, 0),
        (["show", a, "--json"], en, 0),
        (["show", "--json", a.lower()], en, 0),
        (["show", a[5:9]], en, 0),
        (["show", b], en, 0),  # the escapes shown as text
        (["show", b, "--json"], en, 0),
        (["--home", home, "--operator", "Rina", "show", a], en, 0),
        (["--home=" + home, "--lang=ID", "show", a], en, 0),
        (["--lang", "id", "show", a], en, 0),
        (["--lang", "en", "show", a], idn, 0),
        (["show", a], idn, 0),
        (["show", a], {"LPSECTL_LANG": ""}, 0),  # the helpdesk's language
        (["show", "ZZZZZZ"], en, 1),  # unknown
        (["--lang", "id", "show", "ZZZZZZ"], en, 1),
        (["show", "2608"], en, 1),  # ambiguous: the matches listed
        (["show", "2608-DDDDDD"], en, 1),  # damaged: path and line
        (["show", "../../etc/passwd"], en, 2),  # no id
        (["show", "2608-DDDDDE"], en, 1),
        (["--home", "/nonexistent-helpdesk", "show", a], en, 1),
        (["show", a], {"LPSECTL_LANG": "xx"}, 2),  # a language lpsectl does not speak
        (["--lang", "fr", "show", a], en, 2),  # click's usage error
        (["show"], en, 2),
        (["show", a, "b"], en, 2),
        (["show", a, "--json", "--json"], en, 0),
        (["show", a, "--yaml"], en, 2),
        (["show", "--help"], en, 0),
        (["--home", home, "--home", home, "show", a], en, 0),
        (["--home"], en, 2),
        (["show", "--", a], en, 0),
    ]
    for args, env, status in table:
        got = both(lpsectl_cmd, run.home, args, env)
        assert got[0] == status, (args, got)
        assert (got[2] == "") == (status == 0 or args[-1] == "--help"), (args, got)
    # What the fast path printed is what `show` prints.
    assert both(lpsectl_cmd, run.home, ["show", b], en)[1] == run.ok("show", b)
    assert "\\x1b[31m" in run.ok("show", b)


def test_a_command_line_outside_the_plain_forms_goes_to_click_untouched():
    assert plain_show(["show", "K7QM"]) == PlainShow(None, None, None, "K7QM", False)
    assert plain_show(["--home", "/h", "--operator=Rina", "--lang", "EN", "show", "--json", "k7qm"]) == \
        PlainShow("/h", "Rina", "en", "k7qm", True)
    for args in (
        [], ["show"], ["--help"], ["show", "-h"], ["show", "--help"], ["show", "K7QM", "--help"],
        ["-V", "show", "K7QM"], ["list"], ["shows", "K7QM"], ["show", "K7QM", "X"], ["show", "--", "K7QM"],
        ["show", "-K7QM"], ["show", "K7QM", "--json", "--json"], ["show", "K7QM", "--json=1"],
        ["--home", "show", "K7QM"], ["--home", "--help", "show", "K7QM"], ["--home=", "show", "K7QM"],
        ["--home", "/a", "--home", "/b", "show", "K7QM"], ["--lang", "fr", "show", "K7QM"],
        ["--lang"], ["--verbose", "show", "K7QM"], ["show", ""],
    ):
        assert plain_show(args) is None, args


def test_the_plain_show_imports_no_click(desk, run):
    code = ("import sys\n"
            f"sys.argv = ['lpsectl', '--home', {str(run.home)!r}, 'show', {desk['a']!r}]\n"
            "from lpsectl.launch import main\n"
            "try:\n    main()\nexcept SystemExit as exc:\n    code = exc.code\n"
            "sys.stderr.write(f'EXIT {code} ' + ' '.join(m for m in ('click', 'yaml', 'subprocess') if m in sys.modules))\n")
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=dict(os.environ))
    assert "Lupa password" in proc.stdout
    assert proc.stderr.rpartition("EXIT ")[2].split() == ["0"]
    git(run.home, "status")  # the helpdesk is untouched by it
