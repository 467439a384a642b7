"""lpsectl.yaml is parsed once per change: its data is kept in .lpsectl/ with the bytes it came from."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from lpsectl import config as configmod
from lpsectl.config import CACHE_NAME, DEFAULT_TEXT


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    (tmp_path / "lpsectl.yaml").write_text(DEFAULT_TEXT, encoding="utf-8")
    (tmp_path / ".lpsectl").mkdir()
    return tmp_path


def load(folder: Path) -> configmod.Config:
    return configmod.load(folder / "lpsectl.yaml")


def test_the_parsed_configuration_is_kept_and_read_back_without_pyyaml(folder):
    first = load(folder)
    assert (folder / CACHE_NAME).is_file()
    code = ("import sys; from pathlib import Path; from lpsectl import config; "
            f"c = config.load(Path({str(folder / 'lpsectl.yaml')!r})); "
            "print(c.resolution_days['normal'], c.office.name, 'yaml' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.split() == [str(first.resolution_days["normal"]), "LPSE", "Kota", "Payakumbuh", "False"]


def test_a_change_of_the_same_size_is_read_again(folder):
    assert load(folder).resolution_days["normal"] == 5
    cfg = folder / "lpsectl.yaml"
    cfg.write_text(DEFAULT_TEXT.replace("normal: 5", "normal: 7"), encoding="utf-8")
    assert load(folder).resolution_days["normal"] == 7
    cfg.write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load(folder).resolution_days["normal"] == 5


def test_a_damaged_or_foreign_cache_is_parsed_over(folder):
    load(folder)
    cache = folder / CACHE_NAME
    for junk in (b"", b"\x00garbage", cache.read_bytes()[:20]):
        cache.write_bytes(junk)
        assert load(folder).resolution_days["normal"] == 5
    # A cache kept for other bytes (another desk's file, an older version) is not used.
    import marshal

    cache.write_bytes(marshal.dumps((configmod.CACHE_FORMAT, b"other", {"sla": {"first_response": 9}})))
    assert load(folder).first_response_days == 1


def test_a_bad_configuration_is_never_kept_and_says_so_every_time(folder):
    cfg = folder / "lpsectl.yaml"
    cfg.write_text(DEFAULT_TEXT.replace("easy: 2", "easy: -2"), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(configmod.ConfigProblem, match="sla.resolution.easy"):
            load(folder)
    assert not (folder / CACHE_NAME).exists()


def test_the_derived_folder_is_made_git_ignored_to_keep_it(tmp_path):
    (tmp_path / "lpsectl.yaml").write_text(DEFAULT_TEXT, encoding="utf-8")
    assert load(tmp_path).language == "id"
    assert (tmp_path / CACHE_NAME).is_file()
    assert (tmp_path / ".lpsectl" / ".gitignore").read_text(encoding="utf-8").splitlines()[-1] == "*"
