"""An absurdly large message is refused before the lock is taken: exit 2, nothing written."""

from __future__ import annotations

from lpsectl.cli.tickets import MAX_MESSAGE_BYTES
from tests.cli.test_errors import refused


def test_a_message_file_over_the_limit_is_bad_input_and_nothing_is_written(run, helpdesk, tmp_path):
    big = tmp_path / "huge.txt"
    big.write_bytes(b"a" * (MAX_MESSAGE_BYTES + 1))
    line = refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "--message-file", str(big))
    assert "1 MiB" in line and str(big) in line


def test_a_message_on_stdin_over_the_limit_is_bad_input(run, helpdesk):
    line = refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "--message-file", "-",
                   input="b" * (MAX_MESSAGE_BYTES + 10))
    assert "limit" in line


def test_the_limit_is_checked_before_the_lock_is_taken(run, helpdesk, tmp_path, monkeypatch):
    from lpsectl import store

    def no_lock(*args, **kwargs):
        raise AssertionError("the lock was taken for a message that is refused")

    monkeypatch.setattr(store.Helpdesk, "locked", no_lock)
    big = tmp_path / "huge.txt"
    big.write_bytes(b"a" * (MAX_MESSAGE_BYTES + 1))
    refused(run, helpdesk, 2, "new", "-c", "kotak-saran", "--message-file", str(big))


def test_a_message_at_the_limit_is_kept_whole_with_its_line_endings_made_plain(run, helpdesk, tmp_path):
    text = tmp_path / "msg.txt"
    body = "baris satu\r\nbaris dua\r\n"
    text.write_bytes((body + "x" * (MAX_MESSAGE_BYTES - len(body))).encode("utf-8"))
    tid = run.new("-c", "kotak-saran", "--message-file", str(text))
    shown = run.ok("show", tid, "--json")
    import json

    message = json.loads(shown)["message"]
    assert message.startswith("baris satu\nbaris dua\n") and len(message) == MAX_MESSAGE_BYTES - 2
