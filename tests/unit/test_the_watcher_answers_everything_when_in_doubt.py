"""The watcher's answers to git: exactly what changed since a token it gave, else "/" (everything).

A :class:`lpsectl.watcher.Watcher` on a folder of the test, with real
inotify; each answer is ``token NUL path NUL ...``.
"""

from __future__ import annotations

import errno
import os
import sys

import pytest

from lpsectl import watcher

pytestmark = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="the watcher needs Linux's inotify")


def answer(w: watcher.Watcher, since: bytes) -> tuple[bytes, list[bytes]]:
    token, sep, rest = w.answer(since).partition(b"\0")
    assert token.startswith(b"lpsectl:") and sep and (rest == b"" or rest.endswith(b"\0"))
    return token, rest[:-1].split(b"\0") if rest else []


@pytest.fixture
def tree(tmp_path):
    (tmp_path / "tickets" / "2026" / "08").mkdir(parents=True)
    (tmp_path / "tickets" / "2026" / "08" / "a.yaml").write_text("a")
    (tmp_path / ".git").mkdir()
    w = watcher.Watcher(str(tmp_path))
    yield tmp_path, w
    os.close(w.fd)


def test_a_token_it_never_gave_is_answered_with_everything(tree):
    root, w = tree
    assert answer(w, b"")[1] == [b"/"]
    assert answer(w, b"lpsectl:someoneelse:3")[1] == [b"/"]
    assert answer(w, b"1234567")[1] == [b"/"]  # a version 1 timestamp


def test_what_changed_since_its_token_and_only_that(tree):
    root, w = tree
    token, _ = answer(w, b"")
    (root / "tickets" / "2026" / "08" / "a.yaml").write_text("b")
    (root / "lpsectl.yaml").write_text("x")
    token2, paths = answer(w, token)
    assert sorted(paths) == [b"lpsectl.yaml", b"tickets/2026/08/a.yaml"]
    assert answer(w, token2)[1] == []
    # an older token still gets everything since then
    assert sorted(answer(w, token)[1]) == [b"lpsectl.yaml", b"tickets/2026/08/a.yaml"]


def test_a_change_of_ctime_alone_is_named(tree):
    root, w = tree
    path = root / "tickets" / "2026" / "08" / "a.yaml"
    token, _ = answer(w, b"")
    st = path.stat()
    os.utime(path, ns=(st.st_atime_ns, st.st_mtime_ns))
    assert answer(w, token)[1] == [b"tickets/2026/08/a.yaml"]


def test_git_folder_is_not_watched(tree):
    root, w = tree
    token, _ = answer(w, b"")
    (root / ".git" / "index").write_text("x")
    assert answer(w, token)[1] == []


def test_a_new_folder_is_named_whole_and_watched_from_then_on(tree):
    root, w = tree
    token, _ = answer(w, b"")
    folder = root / "tickets" / "2026" / "09"
    folder.mkdir()
    (folder / "b.yaml").write_text("b")  # made before the watcher read the folder's event
    token2, paths = answer(w, token)
    assert b"tickets/2026/09/" in paths
    (folder / "b.yaml").write_text("c")
    assert answer(w, token2)[1] == [b"tickets/2026/09/b.yaml"]


def test_a_folder_moved_away_and_back_is_named_under_both_names(tree):
    root, w = tree
    token, _ = answer(w, b"")
    os.rename(root / "tickets" / "2026", root / "old")
    token2, paths = answer(w, token)
    assert set(paths) >= {b"tickets/2026/", b"old/"}
    (root / "old" / "08" / "a.yaml").write_text("moved")
    assert answer(w, token2)[1] == [b"old/08/a.yaml"]


def test_a_lost_event_queue_answers_everything_for_every_earlier_token(tree):
    root, w = tree
    token, _ = answer(w, b"")
    w.event(-1, watcher.IN_Q_OVERFLOW, b"")
    token2, paths = answer(w, token)
    assert paths == [b"/"]
    (root / "lpsectl.yaml").write_text("x")
    assert answer(w, token2)[1] == [b"lpsectl.yaml"]  # the tokens given after are good again


def test_a_folder_it_cannot_watch_makes_every_answer_everything(tree, monkeypatch):
    root, w = tree
    token, _ = answer(w, b"")

    class NoWatchesLeft:
        def __init__(self, libc):
            self.libc = libc

        def inotify_add_watch(self, fd, path, mask):
            return -1

        def __getattr__(self, name):
            return getattr(self.libc, name)

    monkeypatch.setattr(w, "libc", NoWatchesLeft(w.libc))
    monkeypatch.setattr(w, "get_errno", lambda: errno.ENOSPC)
    (root / "tickets" / "2026" / "09").mkdir()
    token2, paths = answer(w, token)
    assert paths == [b"/"]
    assert answer(w, token2)[1] == [b"/"]


def test_too_many_changed_paths_are_forgotten_for_everything(tree, monkeypatch):
    root, w = tree
    monkeypatch.setattr(watcher, "MAX_CHANGED", 3)
    token, _ = answer(w, b"")
    for i in range(5):
        (root / f"f{i}").write_text("x")
    token2, paths = answer(w, token)
    assert paths == [b"/"]
    (root / "f0").write_text("y")
    assert answer(w, token2)[1] == [b"f0"]


def test_the_hook_answers_everything_where_no_watcher_can_be_asked(tmp_path, monkeypatch, capfdbinary):
    monkeypatch.chdir(tmp_path)  # no .git here: no watcher to ask or start
    assert watcher.hook(["2", "lpsectl:x:1"]) == 0
    token, _, rest = capfdbinary.readouterr().out.partition(b"\0")
    assert token and rest == b"/\0"
    assert watcher.hook(["1", "123"]) == 1  # only version 2 is spoken: git then looks at every file


def test_a_query_about_another_work_tree_is_answered_with_everything(tree):
    root, w = tree
    token, _ = answer(w, b"")
    assert answer(w, token)[1] == []
    token2, _, rest = w.answer(token, os.fsencode(str(root / "elsewhere"))).partition(b"\0")
    assert rest == b"/\0"
    assert w.answer(token2, os.fsencode(os.path.realpath(root))).partition(b"\0")[2] == b""


def serve_once(folder, reply: bytes) -> "threading.Thread":
    """A stand-in watcher at ``folder`` that answers one connection with ``reply``, then closes it."""
    import socket
    import threading

    folder.mkdir(parents=True)
    server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    here = os.getcwd()
    os.chdir(folder)
    try:
        server.bind(watcher.SOCKET)
    finally:
        os.chdir(here)
    server.listen(1)

    def once():
        with server:
            conn, _ = server.accept()
            with conn:
                while conn.recv(65536):
                    pass
                conn.sendall(reply)

    thread = threading.Thread(target=once, daemon=True)
    thread.start()
    return thread


def test_an_answer_cut_short_is_taken_for_everything(tmp_path, monkeypatch, capfdbinary):
    body = b"lpsectl:abc:2\0tickets/2026/08/a.yaml\0tickets/2026/08/b.yaml\0"
    thread = serve_once(tmp_path / ".git" / watcher.FOLDER, b"%d\n" % len(body) + body[:20])
    monkeypatch.chdir(tmp_path)
    assert watcher.hook(["2", "lpsectl:abc:1"]) == 0
    thread.join(5)
    assert capfdbinary.readouterr().out.partition(b"\0")[2] == b"/\0"


def test_a_whole_answer_is_passed_to_git_as_it_came(tmp_path, monkeypatch, capfdbinary):
    body = b"lpsectl:abc:2\0tickets/2026/08/a.yaml\0"
    thread = serve_once(tmp_path / ".git" / watcher.FOLDER, b"%d\n" % len(body) + body)
    monkeypatch.chdir(tmp_path)
    assert watcher.hook(["2", "lpsectl:abc:1"]) == 0
    thread.join(5)
    assert capfdbinary.readouterr().out == body


def test_a_path_changed_again_is_named_for_every_token_before_its_last_change(tree):
    root, w = tree
    first, _ = answer(w, b"")
    (root / "a").write_text("1")
    (root / "b").write_text("1")
    second, _ = answer(w, first)
    (root / "a").write_text("2")  # a changes again, after b
    third, paths = answer(w, second)
    assert paths == [b"a"]
    assert sorted(answer(w, first)[1]) == [b"a", b"b"]
    assert answer(w, third)[1] == []
