"""The built-in templates live in the repository's top-level templates/ and
ship inside the installed package: a wheel built from the sources carries
them, and lpsectl installed from it renders with them (and still lets a
helpdesk's own templates/ override them by file name).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

from lpsectl import reports

ROOT = Path(__file__).resolve().parents[2]
BUILT_IN = sorted(p.name for p in (ROOT / "templates").glob("*.j2"))
# What a build reads; everything else of the checkout stays out of the copy.
SOURCES = ("setup.py", "setup.cfg", "pyproject.toml", "README.md", "lpsectl", "templates")


def test_the_built_in_templates_live_in_the_top_level_templates_folder():
    assert {"report.md.j2", "report.html.j2", "receipt.txt.j2", "receipt.html.j2", "style.css.j2",
            "charts.html.j2"} <= set(BUILT_IN)
    # A template added under the package would be shipped, then shadow these.
    assert not (ROOT / "lpsectl" / "templates").exists()
    assert reports.builtin_templates() == ROOT / "templates"


def _wheel(tmp_path: Path) -> Path:
    src = tmp_path / "src"
    for name in SOURCES:
        if (ROOT / name).is_dir():
            shutil.copytree(ROOT / name, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
        else:
            src.mkdir(exist_ok=True)
            shutil.copy2(ROOT / name, src / name)
    dist = tmp_path / "dist"
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--no-index",
                           "-q", "-w", str(dist), str(src)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    (wheel,) = dist.glob("lpsectl-*.whl")
    return wheel


def test_a_wheel_carries_the_templates_and_the_installed_lpsectl_renders_with_them(tmp_path):
    assert BUILT_IN
    wheel = _wheel(tmp_path)
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
        for name in BUILT_IN:
            assert f"lpsectl/templates/{name}" in names, name
            assert z.read(f"lpsectl/templates/{name}") == (ROOT / "templates" / name).read_bytes()
        assert not any(n.startswith("templates/") for n in names)  # no top-level folder in site-packages
        for lang in ("id", "en"):  # the message catalogs, compiled, ship too
            mo = f"lpsectl/locale/{lang}/LC_MESSAGES/lpsectl.mo"
            assert z.read(mo) == (ROOT / mo).read_bytes(), mo
        # A pure-Python wheel installs by unpacking it.
        site = tmp_path / "site"
        z.extractall(site)

    env = {**os.environ, "PYTHONPATH": str(site), "LPSECTL_OPERATOR": "Rina"}
    env.pop("LPSECTL_LANG")  # the helpdesk's own language, id
    home = tmp_path / "helpdesk"

    def lpsectl(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "lpsectl", "--home", str(home), *args], env=env,
                              cwd=tmp_path, capture_output=True, text=True, timeout=300)

    where = subprocess.run([sys.executable, "-c", "from lpsectl import reports; print(reports.builtin_templates())"],
                           env=env, cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert where.stdout.strip() == str(site / "lpsectl" / "templates"), where.stderr
    assert lpsectl("init", str(home)).returncode == 0
    page = lpsectl("report", "--month", "2026-08", "--format", "html")
    assert page.returncode == 0, page.stderr
    assert page.stdout.startswith("<!DOCTYPE html>") and "Rekapitulasi Penanganan Pengaduan" in page.stdout
    # The installed catalogs speak: the interface is Indonesian too.
    missing = lpsectl("show", "K7QM")
    assert (missing.returncode, missing.stderr) == (
        1, "Galat: tidak ada tiket 'K7QM'; `lpsectl list --all` menampilkan id yang ada\n")
    # The helpdesk's own template still wins by file name.
    (home / "templates").mkdir()
    (home / "templates" / "report.md.j2").write_text("Rekap {{ office.name }}: {{ report.total }}\n", encoding="utf-8")
    own = lpsectl("report", "--month", "2026-08")
    assert (own.returncode, own.stdout) == (0, "Rekap LPSE Kota Payakumbuh: 0\n"), own.stderr
