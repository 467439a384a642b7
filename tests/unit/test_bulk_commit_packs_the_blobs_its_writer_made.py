"""A commit of many paths packs the blobs its writer made beside the files, reading no file for them.

An import writes 100,000 files in several processes; each also keeps its
files' blobs as ``git fast-import`` takes them, so the commit streams a few
large files to git instead of opening every ticket file again. git still
hashes every file itself: a file that differs from its blob is committed as
it is on disk.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsectl import gitrepo
from lpsectl.gitrepo import MANY_PATHS, GitRepo, blob_record
from tests.conftest import git


def _repo(tmp_path: Path) -> Path:
    root = tmp_path / "repo"
    (root / "t").mkdir(parents=True)
    git(root, "init", "-q")
    (root / "t" / "before.yaml").write_text("before\n")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "before")
    return root


def _written(root: Path, tmp_path: Path, n: int) -> tuple[list[Path], list[str]]:
    """``n`` files, and their blobs in two packed parts as a writer keeps them."""
    paths = [root / "t" / f"{i:04d}.yaml" for i in range(n)]
    parts: list[list[bytes]] = [[], []]
    for i, p in enumerate(paths):
        data = f"ticket {i}\n".encode()
        p.write_bytes(data)
        parts[i % 2].append(blob_record(data))
    packed = []
    for k, records in enumerate(parts):
        f = tmp_path / f"packed-{k}"
        f.write_bytes(b"".join(records))
        packed.append(str(f))
    return paths, packed


def test_the_blobs_come_from_the_packed_parts_not_from_the_files(tmp_path, monkeypatch):
    root = _repo(tmp_path)
    paths, packed = _written(root, tmp_path, MANY_PATHS + 5)
    real_read = gitrepo._read_all
    read: list[str] = []
    monkeypatch.setattr(gitrepo, "_read_all", lambda p: read.append(p) or real_read(p))

    assert GitRepo(root).commit(paths, "import", "Rina", packed=packed) is True

    assert sorted(read) == sorted(packed)
    assert git(root, "show", f"HEAD:t/{7:04d}.yaml") == "ticket 7\n"
    assert git(root, "status", "--porcelain") == ""
    # One pack holds them all: not one loose object a file.
    loose = [line for line in git(root, "count-objects", "-v").splitlines() if line.startswith("count:")]
    assert int(loose[0].split()[1]) < 10


@pytest.mark.parametrize("drift", ["a file differs from its blob", "a file has no blob"])
def test_a_file_unlike_its_packed_blob_is_committed_as_it_is_on_disk(tmp_path, drift):
    root = _repo(tmp_path)
    paths, packed = _written(root, tmp_path, MANY_PATHS + 5)
    if drift == "a file differs from its blob":
        paths[3].write_text("changed after it was packed\n")
    else:
        extra = root / "t" / "extra.yaml"
        extra.write_text("no blob for me\n")
        paths.append(extra)

    assert GitRepo(root).commit(paths, "import", "Rina", packed=packed) is True

    if drift == "a file differs from its blob":
        assert git(root, "show", "HEAD:t/0003.yaml") == "changed after it was packed\n"
    else:
        assert git(root, "show", "HEAD:t/extra.yaml") == "no blob for me\n"
    assert git(root, "status", "--porcelain") == ""
    git(root, "fsck", "--no-dangling")
