"""Shared fixtures: every test runs isolated from the real machine.

HOME, git's global configuration and every LPSECTL_* variable point into
the test's temporary folder, so no test touches the real home folder, the
user's git identity, or this repository's own tickets/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import settings

from lpsectl.cli import cli

# The same examples on every run and every machine, so CI fails only when the
# code changed; bounded so the suite stays minutes on a slow machine. Set
# HYPOTHESIS_PROFILE=explore locally to search with fresh random examples.
settings.register_profile("ci", derandomize=True, max_examples=200, deadline=None, print_blob=True)
settings.register_profile("explore", derandomize=False, max_examples=1000, deadline=None)


def hypothesis_profile(environ) -> str:
    """``ci`` whenever CI is set, else HYPOTHESIS_PROFILE, else ``ci``."""
    if environ.get("CI"):
        return "ci"
    return environ.get("HYPOTHESIS_PROFILE") or "ci"


settings.load_profile(hypothesis_profile(os.environ))


@pytest.fixture(autouse=True)
def isolated(tmp_path_factory, monkeypatch):
    home = tmp_path_factory.mktemp("home")
    gitconfig = home / ".gitconfig"
    gitconfig.write_text(
        "[user]\n\tname = Test Officer\n\temail = officer@example.test\n"
        "[commit]\n\tgpgsign = false\n[init]\n\tdefaultBranch = main\n"
        "[protocol \"file\"]\n\tallow = always\n"
    )
    for key in list(os.environ):
        if key.startswith(("LPSECTL_", "GIT_")):
            monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("HOME", str(home))
    monkeypatch.setenv("USERPROFILE", str(home))
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(gitconfig))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    monkeypatch.setenv("LC_ALL", "C.UTF-8")
    # The tests that compare English text speak English; the ones about the
    # language set LPSECTL_LANG or --lang themselves.
    monkeypatch.setenv("LPSECTL_LANG", "en")
    work = tmp_path_factory.mktemp("cwd")
    monkeypatch.chdir(work)
    return home


class Run:
    """CliRunner bound to one helpdesk folder: run("new", "-c", ...)."""

    def __init__(self, home: Path) -> None:
        self.home = home
        self.runner = CliRunner()

    def __call__(self, *args: str, input: str | None = None, operator: str | None = "Rina", env=None):
        pre = ["--home", str(self.home)]
        if operator:
            pre += ["--operator", operator]
        return self.runner.invoke(cli, [*pre, *args], input=input, env=env, catch_exceptions=False)

    def ok(self, *args: str, **kw) -> str:
        result = self(*args, **kw)
        assert result.exit_code == 0, f"{args} -> {result.exit_code}\nstdout: {result.stdout}\nstderr: {result.stderr}"
        return result.stdout

    def new(self, *args: str, **kw) -> str:
        return self.ok("new", "-q", *args, **kw).strip()


@pytest.fixture
def helpdesk(tmp_path) -> Path:
    """An initialised helpdesk folder with its own git repository."""
    home = tmp_path / "helpdesk"
    result = CliRunner().invoke(cli, ["--operator", "Rina", "init", str(home)], catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    return home


@pytest.fixture
def run(helpdesk) -> Run:
    return Run(helpdesk)


def drop_index(home: Path) -> None:
    """The helpdesk's index removed, its WAL and shared memory too: the next command builds it first."""
    from lpsectl.index import INDEX_NAME

    for suffix in ("", "-wal", "-shm"):
        Path(str(home / INDEX_NAME) + suffix).unlink(missing_ok=True)


def first_build_reading(run: Run, monkeypatch, tickets: int, look):
    """A first build of ``run``'s helpdesk, holding ``tickets`` tickets, with ``look(index)`` asked as each file is read.

    The tickets are opened one a day from 3 August 2026. Returns the index,
    brought up to date and still open, and each file's answer, in order.
    """
    from lpsectl import index
    from lpsectl.store import Helpdesk

    for day in range(3, 3 + tickets):
        run.new("-c", "kotak-saran", "-s", f"Saran {day}", "--at", f"2026-08-{day:02d}T09:00")
    drop_index(run.home)
    ix = index.Index(Helpdesk(run.home))
    seen = []
    real = index.read_file

    def spy(*a, **k):
        seen.append(look(ix))
        return real(*a, **k)

    monkeypatch.setattr(index, "read_file", spy)
    ix.refresh()
    return ix, seen


def git(cwd: Path, *args: str) -> str:
    return subprocess.run(["git", *args], cwd=cwd, check=True, capture_output=True, text=True).stdout


def every_object(repo: Path) -> bytes:
    """The contents of every object of the repository, loose and packed, as git reads them (packs are compressed).

    Not git's own numbers: the object ids of ``--batch``'s header lines and
    of a commit's tree and parents, and the commits' Unix times, hold any
    run of digits by chance (a commit made at 1796187766 holds "7766"), and
    no reporter wrote them.
    """
    out = subprocess.run(["git", "cat-file", "--batch-all-objects", "--batch"], cwd=repo, check=True,
                         capture_output=True, input=b"").stdout
    contents, at = [], 0
    while at < len(out):
        header_end = out.index(b"\n", at)
        _, kind, size = out[at:header_end].split()
        body = out[header_end + 1:header_end + 1 + int(size)]
        if kind in (b"commit", b"tag"):
            body = re.sub(rb"(?m)^((?:author|committer|tagger) .*>) \d+ [+-]\d{4}$", rb"\1", body)
            body = re.sub(rb"(?m)^(tree|parent|object) [0-9a-f]{40,64}$", rb"\1", body)
        contents.append(body)
        at = header_end + 1 + int(size) + 1
    return b"\n".join(contents)


@pytest.fixture(scope="session")
def lpsectl_cmd() -> list[str]:
    """The installed `lpsectl` command (the console script beside this Python)."""
    exe = Path(sys.executable).parent / ("lpsectl.exe" if os.name == "nt" else "lpsectl")
    if exe.exists():
        return [str(exe)]
    found = shutil.which("lpsectl")
    if found:
        return [found]
    return [sys.executable, "-m", "lpsectl"]


# The start of a git stand-in: ``$sub`` is the subcommand, past git's own options.
GIT_STAND_IN = """#!/bin/sh
sub=""; skip=0
for a in "$@"; do
  if [ "$skip" = 1 ]; then skip=0; continue; fi
  case "$a" in -c|-C) skip=1;; -*) ;; *) sub="$a"; break;; esac
done
"""


def git_stand_in(folder: Path, before: str) -> dict[str, str]:
    """The environment of a run whose ``git`` runs the shell lines ``before`` (``$sub`` set), then the real git.

    ``folder`` (made here) holds the stand-in and comes first on PATH.
    """
    real = shutil.which("git")
    assert real
    folder.mkdir()
    (folder / "git").write_text(f'{GIT_STAND_IN}{before}exec "{real}" "$@"\n', encoding="utf-8")
    (folder / "git").chmod(0o755)
    return dict(os.environ, PATH=f"{folder}{os.pathsep}{os.environ['PATH']}")


def imported_after(args: list[str], modules: list[str], console: bool = False) -> list[str]:
    """Which of ``modules`` a fresh Python has imported after running lpsectl with ``args``.

    ``console``: run it as the console script does (:func:`lpsectl.launch.main`, git's early look
    included), not through click's group alone.
    """
    run = (f"sys.argv = ['lpsectl', *{args!r}]\n"
           "from lpsectl.launch import main\n"
           "try:\n    main()\nexcept SystemExit:\n    pass\n") if console else (
        "from lpsectl.cli import cli\n"
        f"cli.main(args={args!r}, standalone_mode=False)\n")
    code = (
        "import sys\n"
        f"{run}"
        f"sys.stderr.write('LOADED ' + ' '.join(m for m in {modules!r} if m in sys.modules))\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert "LOADED" in proc.stderr, proc.stderr
    return proc.stderr.rpartition("LOADED ")[2].split()


def statements_run_by(monkeypatch, module, name: str) -> list[str]:
    """The SQL statements the generator ``module.name(db, ...)`` runs from now on, in order (it is patched to trace them)."""
    statements: list[str] = []
    real = getattr(module, name)

    def traced(db, *a, **kw):
        db.set_trace_callback(statements.append)
        try:
            yield from real(db, *a, **kw)
        finally:
            db.set_trace_callback(None)

    monkeypatch.setattr(module, name, traced)
    return statements


def query_plan(home: Path, sql: str) -> list[str]:
    """What SQLite's plan for ``sql`` says it does, step by step, in the index of the helpdesk ``home``."""
    import sqlite3

    from lpsectl import index

    db = sqlite3.connect(str(home / index.INDEX_NAME))
    try:
        return [step[3] for step in db.execute("EXPLAIN QUERY PLAN " + sql)]
    finally:
        db.close()


def ticket_file(home: Path, tid: str) -> Path:
    """The file of ticket ``tid`` in the helpdesk ``home``."""
    return next(home.glob(f"tickets/*/*/{tid}.yaml"))


def same_size_same_mtime(path: Path, old: str, new: str) -> None:
    """Rewrite ``path`` in place: the same size, its mtime put back (only ctime tells)."""
    assert len(old) == len(new)
    st = path.stat()
    data = path.read_bytes()
    with open(path, "r+b") as f:
        f.write(data.replace(old.encode(), new.encode()))
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert path.stat().st_size == st.st_size and path.stat().st_mtime_ns == st.st_mtime_ns


def no_internal_error(result) -> None:
    assert "internal error" not in result.stderr and "Traceback" not in result.stderr, result.stderr


@pytest.fixture
def parses(monkeypatch) -> list[str]:
    """The files ticketfile.loads was asked to parse."""
    from lpsectl import ticketfile

    seen: list[str] = []
    real = ticketfile.loads

    def counting(text: str, where: str = "<ticket>"):
        seen.append(where)
        return real(text, where)

    monkeypatch.setattr(ticketfile, "loads", counting)
    return seen
