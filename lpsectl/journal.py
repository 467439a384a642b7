"""The journal of a record: what a commit in progress gives a ticket file, so a killed one is finished.

Beside the helpdesk lock while :meth:`lpsectl.store.Helpdesk.record`
commits and writes one ticket file (``lpsectl-recording.<id>``). Apart from
:mod:`lpsectl.store`: only a command that records or takes the lock reads
or writes one.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Optional

from lpsectl.errors import Damaged, LpseError
from lpsectl.gitrepo import blob_id
from lpsectl.i18n import _
from lpsectl.store import _bytes_or_none, _unlink_quietly

if TYPE_CHECKING:
    from lpsectl.store import Helpdesk


@dataclass
class RecordingJournal:
    """What a record is committing: enough to finish it after a kill, or to see it never landed."""

    path: str              # the ticket file, relative to the git root, with /
    branch: str            # the full ref the commit goes on
    old_blob: Optional[str]  # the file's blob before (None: a new ticket)
    new_blob: str          # the blob the commit gives it
    action: str
    ticket: str


def write(path: Path, j: RecordingJournal) -> None:
    """One small write, no fsync: it has to outlive a killed process, which the page cache does.

    A journal torn by a kill while written is read as "never started": the
    commit comes only after this returns.
    """
    import json

    try:
        with open(path, "wb") as f:
            f.write(json.dumps(asdict(j)).encode("utf-8"))
    except OSError as exc:  # a full disk: refuse before git moves, so nothing is recorded
        raise LpseError(_("cannot write {path}: {problem}; make room on the disk or make the folder writable, "
                          "then try again; nothing was recorded").format(path=path, problem=exc.strerror or exc)) from None


def read(path: Path) -> Optional[RecordingJournal]:
    import json

    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
        return RecordingJournal(**raw)
    except FileNotFoundError:
        return None
    except (OSError, ValueError, TypeError):  # torn by a kill while written: its commit never started
        return RecordingJournal("", "", None, "", "", "")


def finish_interrupted_record(hd: "Helpdesk", journal: Path) -> Optional[str]:
    """Under the lock: finish a record killed after its commit, or drop the journal of one that never landed.

    Returns what was completed, for `check` to say; None when there was
    nothing to do. The file is written from git only when it is still the
    version before (or absent, for `new`): anything else is an edit by
    hand, which `check` names, never overwritten.
    """
    git = hd.git
    if git is None:
        return None
    j = read(journal)
    if j is None:
        return None
    done = None
    if j.path and git.branch_ref() == j.branch:
        path = git.root / j.path
        head = git.head() or ""
        try:
            on_disk = _bytes_or_none(path, hd.rel(path))
        except Damaged:  # not a regular file now: no version of it, which `check` names
            _unlink_quietly(journal)
            return None
        disk_blob = None if on_disk is None else blob_id(on_disk, len(head) or 40)
        committed = git.blob_at("HEAD", path) == j.new_blob
        if committed and disk_blob == j.new_blob:  # killed after the write: only the index lags
            try:
                git.stage([path])
            except LpseError:
                pass  # check's "only git's index lags" case; the next record stages it
        elif committed and disk_blob == j.old_blob:
            try:
                git.restore(path)  # the file and git's index, from the commit the branch holds
            except LpseError:
                # The folder is still unwritable: keep the journal for the next lock;
                # the command itself goes on (its own write will say what is wrong).
                return None
            done = (f"{j.action} {j.ticket} was recorded in git but stopped before {hd.rel(path)} was "
                    "written; the file is brought up to date now")
    _unlink_quietly(journal)
    return done
