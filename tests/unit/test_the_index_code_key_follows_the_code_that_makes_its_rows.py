"""The index is rebuilt when the code that reads tickets or derives their rows changes (index.code_key).

The key hashes those modules' source files by name, without importing them: a name that no longer
names a file (a module renamed or moved) would silently drop out of the key, so each must exist.
"""

from __future__ import annotations

from pathlib import Path

import lpsectl
from lpsectl import index


def test_every_module_the_key_hashes_is_a_file_of_the_package():
    package = Path(lpsectl.__file__).parent
    missing = [name for name in index.CODE_MODULES if not (package / f"{name}.py").is_file()]
    assert missing == []


def test_the_key_changes_when_one_of_those_files_does(tmp_path, monkeypatch):
    package = Path(lpsectl.__file__).parent
    for name in index.CODE_MODULES:
        (tmp_path / f"{name}.py").write_bytes((package / f"{name}.py").read_bytes())
    monkeypatch.setattr(index, "__file__", str(tmp_path / "index.py"))
    monkeypatch.setattr(index, "_CODE_KEY", None)
    before = index.code_key()
    with open(tmp_path / "fastyaml.py", "a") as f:
        f.write("# a change\n")
    monkeypatch.setattr(index, "_CODE_KEY", None)
    assert index.code_key() != before
