"""The three-way merge of one ticket: union of histories, fields by rule, symmetric."""

import subprocess
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lpsectl import merge, mergedriver, ticketfile
from lpsectl.errors import Damaged
from lpsectl.model import Event, Reporter, Ticket
from tests.conftest import git

WIB = timezone(timedelta(hours=7))
T0 = datetime(2026, 11, 2, 9, 0, tzinfo=WIB)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def base_ticket(**kw) -> Ticket:
    t = Ticket(id="2611-ABCDEF", channel="phone", kind="question", created_at=T0,
               subject="Lupa password", reporter=Reporter(name="Budi", phone="0752 92317"))
    for k, v in kw.items():
        setattr(t, k, v)
    t.history.append(Event(at=T0, action="open", by="Rina", tier="helpdesk"))
    return t


def ev(minutes: int, action: str, by: str = "Rina", tier: str = "helpdesk", message=None, **fields) -> Event:
    return Event(at=at(minutes), action=action, by=by, tier=tier, message=message, fields=fields)


def edit(minutes: int, name: str, old, new, by: str = "Rina") -> Event:
    return ev(minutes, "edit", by=by, changes={name: {"from": old, "to": new}})


def with_events(t: Ticket, *events: Event, **fields) -> Ticket:
    t = t.copy()
    for e in events:
        t.add(e)
    for k, v in fields.items():
        t.set_field(k, v) if "." in k else setattr(t, k, v)
    return t


def text(t: Ticket) -> str:
    return ticketfile.dumps(t)


def merged(base: Ticket, ours: Ticket, theirs: Ticket) -> Ticket:
    """Merge both ways round; the two results must be the same file."""
    one = merge.merge_text(text(base), text(ours), text(theirs))
    other = merge.merge_text(text(base), text(theirs), text(ours))
    assert one == other
    return ticketfile.loads(one)


def test_events_added_on_both_sides_all_end_up_in_time_order():
    base = base_ticket()
    ours = with_events(base, ev(10, "note", message="dari meja depan"), ev(30, "answer", message="sudah"))
    theirs = with_events(base, ev(20, "escalate", tier="admin-ppe", message="ke PPE"))
    m = merged(base, ours, theirs)
    assert [e.action for e in m.history] == ["open", "note", "escalate", "answer"]
    assert (m.status, m.tier) == ("answered", "admin-ppe")


def test_the_derived_state_is_recomputed_from_the_merged_history():
    base = base_ticket()
    ours = with_events(base, ev(10, "answer", message="a"), ev(10, "close", resolution="answered"))
    theirs = with_events(base, ev(40, "reopen", message="masih gagal"))
    data = ticketfile.loads(merge.merge_text(text(base), text(ours), text(theirs)))
    assert (data.status, data.state().resolution) == ("open", None)


def test_an_event_both_sides_already_have_appears_once():
    base = base_ticket()
    shared = ev(5, "note", message="sama")
    ours = with_events(base, shared, ev(6, "note", message="A"))
    theirs = with_events(base, shared)
    m = merged(base, ours, theirs)
    assert [e.message for e in m.history] == [None, "sama", "A"]


def test_events_recorded_together_keep_their_order_whichever_side_is_ours():
    base = base_ticket()
    # `answer --close` writes two events with one time; a note at that second elsewhere.
    ours = with_events(base, ev(10, "answer", message="jawab"), ev(10, "close", resolution="answered"))
    theirs = with_events(base, ev(10, "note", message="zzz"), ev(10, "note", message="aaa"))
    m = merged(base, ours, theirs)
    actions = [(e.action, e.message) for e in m.history]
    assert actions.index(("answer", "jawab")) < actions.index(("close", None))
    assert actions.index(("note", "zzz")) < actions.index(("note", "aaa"))
    assert len(actions) == 5


def test_recorded_at_orders_events_that_happened_at_the_same_time():
    base = base_ticket()
    late = ev(10, "note", message="written later")
    late.recorded_at = at(50)
    early = ev(10, "note", message="written first")
    early.recorded_at = at(20)
    m = merged(base, with_events(base, late), with_events(base, early))
    assert [e.message for e in m.history[1:]] == ["written first", "written later"]


def test_a_field_changed_on_one_side_takes_that_change():
    base = base_ticket()
    ours = with_events(base, edit(10, "category", None, "login"), category="login")
    theirs = with_events(base, ev(20, "note", message="x"))
    assert merged(base, ours, theirs).category == "login"


def test_a_field_changed_on_both_sides_follows_the_latest_edit():
    base = base_ticket()
    ours = with_events(base, edit(30, "subject", "Lupa password", "Akun terkunci"), subject="Akun terkunci")
    theirs = with_events(base, edit(10, "subject", "Lupa password", "Reset password"), subject="Reset password")
    assert merged(base, ours, theirs).subject == "Akun terkunci"
    theirs_later = with_events(base, edit(40, "subject", "Lupa password", "Reset"), subject="Reset")
    assert merged(base, ours, theirs_later).subject == "Reset"


def test_a_reporter_field_changed_on_both_sides_follows_the_latest_edit():
    base = base_ticket()
    ours = with_events(base, edit(50, "reporter.phone", "0752 92317", "0812 111"), **{"reporter.phone": "0812 111"})
    theirs = with_events(base, edit(20, "reporter.phone", "0752 92317", "0812 999"), **{"reporter.phone": "0812 999"})
    assert merged(base, ours, theirs).reporter.phone == "0812 111"


def test_escalate_with_a_ref_counts_as_the_latest_change_of_the_lpse_support_ref():
    base = base_ticket()
    ours = with_events(base, edit(10, "refs.lpse-support", None, "LS-1"), **{"refs.lpse-support": "LS-1"})
    theirs = with_events(base, ev(20, "escalate", tier="admin-ppe", ref="LS-2"), **{"refs.lpse-support": "LS-2"})
    assert merged(base, ours, theirs).refs["lpse-support"] == "LS-2"


def test_without_an_edit_to_decide_the_value_that_sorts_last_wins():
    base = base_ticket()
    ours = with_events(base, category="akun")
    theirs = with_events(base, category="login")
    assert merged(base, ours, theirs).category == "login"


def test_unknown_keys_are_carried_through_and_merged_never_dropped():
    base = base_ticket(extra={"office_note": "lama", "kept": 1})
    ours = with_events(base, extra={"office_note": "baru", "kept": 1, "from_ours": True})
    ours.refs["lapor-v2"] = "LP-9"
    theirs = with_events(base, extra={"office_note": "lama", "kept": 1, "from_theirs": [1, 2]})
    theirs.add(Event(at=at(5), action="note", by="Rina", tier="helpdesk", message="n",
                     fields={"future_field": {"x": 1}}))
    m = merged(base, ours, theirs)
    assert m.extra == {"office_note": "baru", "kept": 1, "from_ours": True, "from_theirs": [1, 2]}
    assert m.refs["lapor-v2"] == "LP-9"
    assert m.history[1].get("future_field") == {"x": 1}


def test_an_unknown_key_changed_on_one_side_and_removed_on_the_other_is_kept():
    base = base_ticket(extra={"tag": "a"})
    ours = with_events(base, extra={"tag": "b"})
    theirs = with_events(base, extra={})
    assert merged(base, ours, theirs).extra == {"tag": "b"}


def test_attachments_are_the_union():
    base = base_ticket(attachments=["surat.pdf"])
    ours = with_events(base, attachments=["surat.pdf", "foto.jpg"])
    theirs = with_events(base, attachments=["surat.pdf", "bukti.png"])
    assert merged(base, ours, theirs).attachments == ["surat.pdf", "bukti.png", "foto.jpg"]


def test_two_desks_adding_the_same_ticket_merge_as_one():
    base = base_ticket()
    ours = with_events(base, ev(10, "note", message="A"))
    theirs = with_events(base, ev(11, "note", message="B"))
    m = ticketfile.loads(merge.merge_text("", text(ours), text(theirs)))
    assert [e.message for e in m.history] == [None, "A", "B"]


def test_tickets_opened_by_one_officer_in_one_second_are_still_told_apart_by_their_report():
    mine = base_ticket(subject="Lupa password")
    same_open_other_report = base_ticket(subject="Gagal unggah")
    edited_later = with_events(mine, edit(5, "subject", "Lupa password", "Akun terkunci"), subject="Akun terkunci")
    assert not merge.same_ticket(mine, same_open_other_report)
    assert merge.same_ticket(mine, edited_later)


def test_a_side_that_cannot_be_read_is_refused_not_guessed():
    base = base_ticket()
    with pytest.raises(Damaged):
        merge.merge_text(text(base), "history: [unclosed\n", text(base))
    with pytest.raises(Damaged):
        merge.merge_text(text(base), text(base).replace("status: open", "status: closed"), text(base))


# -- the driver on files ----------------------------------------------------------

def files(tmp_path: Path, base: str, ours: str, theirs: str) -> tuple[Path, Path, Path]:
    out = []
    for name, content in (("O", base), ("A", ours), ("B", theirs)):
        p = tmp_path / f".merge_file_{name}"
        p.write_text(content, encoding="utf-8")
        out.append(p)
    return out[0], out[1], out[2]


def test_the_driver_writes_the_merge_over_ours(tmp_path):
    base = base_ticket()
    o, a, b = files(tmp_path, text(base), text(with_events(base, ev(1, "note", message="A"))),
                    text(with_events(base, ev(2, "note", message="B"))))
    result = merge.merge_files(o, a, b, "tickets/2026/11/2611-ABCDEF.yaml")
    assert result.clean and result.renamed is None
    assert [e.message for e in ticketfile.loads(a.read_text()).history] == [None, "A", "B"]


def test_the_driver_leaves_a_conflict_for_a_damaged_side(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    base = base_ticket()
    broken = text(base).replace("subject: Lupa password", "subject: [rusak")
    other = text(base).replace("subject: Lupa password", "subject: Reset")
    o, a, b = files(tmp_path, text(base), broken, other)
    result = merge.merge_files(o, a, b, "tickets/2026/11/2611-ABCDEF.yaml")
    assert not result.clean and "merged line by line" in result.messages[0]
    assert "<<<<<<<" in a.read_text() and "[rusak" in a.read_text() and "Reset" in a.read_text()


def collision(tmp_path: Path, monkeypatch) -> tuple[Ticket, Ticket, Path, merge.DriverResult]:
    """Git's driver call for two different tickets added under one id, in a repository at ``tmp_path``."""
    monkeypatch.chdir(tmp_path)
    subprocess.run(["git", "init", "-q", str(tmp_path)], check=True)
    folder = tmp_path / "tickets" / "2026" / "11"
    folder.mkdir(parents=True)
    mine = base_ticket(subject="Tiket meja depan")
    theirs = Ticket(id="2611-ABCDEF", channel="email", kind="problem", created_at=at(3), subject="Dari surel",
                    reporter=Reporter(email="a@b.id"))
    theirs.history.append(Event(at=at(3), action="open", by="Andi", tier="helpdesk"))
    o, a, b = files(tmp_path, "", text(mine), text(theirs))
    return mine, theirs, a, merge.merge_files(o, a, b, "tickets/2026/11/2611-ABCDEF.yaml")


def assert_moved(text_: str, mine: Ticket, old: str, new: str) -> None:
    moved = ticketfile.loads(text_)
    assert (moved.id, moved.subject, moved.channel) == (new, "Tiket meja depan", "phone")
    assert moved.history[-1].action == "note" and moved.history[-1].get("former_id") == old
    assert moved.history[:-1] == mine.history


def test_two_different_tickets_under_one_id_are_both_kept(tmp_path, monkeypatch):
    mine, theirs, a, result = collision(tmp_path, monkeypatch)
    assert result.clean and result.renamed
    old, new, path, blob = result.renamed
    assert old == "2611-ABCDEF" and new.startswith("2611-") and new != old
    assert a.read_text() == text(theirs)  # the incoming ticket keeps its id, byte for byte
    assert_moved((tmp_path / path).read_text(), mine, old, new)
    assert git(tmp_path, "cat-file", "blob", blob) == (tmp_path / path).read_text()


def test_for_sync_the_driver_hands_over_the_moved_ticket_as_a_git_object_only(tmp_path, monkeypatch):
    """sync writes no file until git holds its merge: the moved ticket goes into the merge commit."""
    monkeypatch.setenv(merge.OUT_OF_TREE, "1")
    mine, theirs, a, result = collision(tmp_path, monkeypatch)
    old, new, path, blob = result.renamed
    assert not (tmp_path / path).exists(), "nothing written into the work tree"
    assert a.read_text() == text(theirs)
    assert_moved(git(tmp_path, "cat-file", "blob", blob), mine, old, new)


# -- installing the driver --------------------------------------------------------

def test_the_driver_command_quotes_an_interpreter_path_with_spaces(monkeypatch):
    monkeypatch.setattr("sys.executable", '/opt/My Apps/py"thon$x/bin/python')
    cmd = mergedriver.driver_command()
    assert cmd == '"/opt/My Apps/py\\"thon\\$x/bin/python" -m lpsectl merge-file %O %A %B %P'


def test_the_installed_driver_is_read_from_git_config_text():
    cfg = ('[core]\n\tbare = false\n[merge "lpsectl"]\n\tname = x\n'
           '\tdriver = \\"/v env/bin/python\\" -m lpsectl merge-file %O %A %B %P ; comment\n[user]\n\tname = y\n')
    assert mergedriver.installed_driver(cfg) == '"/v env/bin/python" -m lpsectl merge-file %O %A %B %P'
    assert mergedriver.installed_driver("[core]\n\tbare = false\n") is None


# -- symmetry over many shapes ------------------------------------------------------

ACTIONS = st.sampled_from(["note", "followup", "answer", "close", "escalate", "rate", "reopen"])


@st.composite
def side(draw) -> list[Event]:
    n = draw(st.integers(0, 5))
    times = sorted(draw(st.lists(st.integers(1, 6), min_size=n, max_size=n)))
    out = []
    for i, m in enumerate(times):
        action = draw(ACTIONS)
        fields = {"score": draw(st.integers(1, 4))} if action == "rate" else {}
        if action == "close":
            fields = {"resolution": "answered"}
        out.append(ev(m, action, message=None if action in ("rate", "close") else draw(st.sampled_from("abc")),
                      **fields))
    return out


@settings(max_examples=200, deadline=None)
@given(common=side(), mine=side(), yours=side(), cat=st.sampled_from([None, "x", "y"]))
def test_any_two_sides_merge_to_one_file_both_ways_round_with_every_event(common, mine, yours, cat):
    base = with_events(base_ticket(), *common)
    ours = with_events(base, *mine, category=cat)
    theirs = with_events(base, *yours)
    m = merged(base, ours, theirs)
    got = [merge.event_canon(e) for e in m.history]
    for e in ours.history + theirs.history:
        assert merge.event_canon(e) in got
    assert len(m.history) >= max(len(ours.history), len(theirs.history))
