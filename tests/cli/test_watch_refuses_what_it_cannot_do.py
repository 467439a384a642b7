"""`lpsectl watch on` refuses, in one line and changing nothing, where it cannot or must not work."""

from __future__ import annotations

import shutil

from lpsectl import watching
from tests.conftest import git


def local_config(home) -> str:
    return git(home, "config", "--local", "--list")


def test_another_fsmonitor_hook_is_left_in_place(run):
    git(run.home, "config", "core.fsmonitor", "/usr/local/bin/watchman-hook")
    result = run("watch", "on")
    assert result.exit_code == 1
    assert result.stderr == ("Error: git's core.fsmonitor is already set to /usr/local/bin/watchman-hook; remove it "
                             "with `git config --unset core.fsmonitor` first if lpsectl's watcher should take its "
                             "place\n")
    assert "core.fsmonitor=/usr/local/bin/watchman-hook" in local_config(run.home)
    assert "fsmonitorhookversion" not in local_config(run.home)
    assert run.ok("watch", "status") == ("watch: off (git's core.fsmonitor is set to /usr/local/bin/watchman-hook, "
                                         "not to lpsectl's watcher)\n")
    run.ok("watch", "off")  # not ours: it stays
    assert "core.fsmonitor=/usr/local/bin/watchman-hook" in local_config(run.home)


def test_a_system_without_inotify_is_told_so(run, monkeypatch):
    monkeypatch.setattr(watching.sys, "platform", "darwin")
    result = run("watch", "on")
    assert result.exit_code == 1
    assert result.stderr == ("Error: the watcher needs Linux (inotify); here git keeps looking at every file, "
                             "as without it\n")
    assert "fsmonitor" not in local_config(run.home)


def test_a_helpdesk_outside_git_has_nothing_to_watch(run):
    shutil.rmtree(run.home / ".git")
    result = run("watch", "on")
    assert result.exit_code == 1
    assert result.stderr == (f"Error: {run.home} is not in a git repository: git looks at no files, "
                             "there is nothing to watch\n")


def test_status_of_a_desk_never_watched_is_off(run):
    assert run.ok("watch", "status") == "watch: off; git looks at every file\n"
