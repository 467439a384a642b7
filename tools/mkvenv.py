"""Make .venv and install lpsectl into it, on any machine with only python3.

Debian and Ubuntu refuse `pip install` outside a virtual environment
(PEP 668), and their python3 lacks ensurepip unless python3-venv is
installed. So: create the venv with pip when ensurepip exists, else without
pip and bring pip in from its wheel on PyPI.

    python3 tools/mkvenv.py          # lpsectl
    python3 tools/mkvenv.py test     # lpsectl with the test dependencies
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TARGET = ROOT / ".venv"


def python_in(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def bring_pip(py: Path) -> None:
    """Install pip into a venv made without it, from the wheel on PyPI."""
    index = "https://pypi.org/pypi/pip/json"
    with urllib.request.urlopen(index, timeout=60) as r:
        meta = json.load(r)
    wheel = next(u for u in meta["urls"] if u["filename"].endswith(".whl"))
    url = urllib.parse.urljoin(index, wheel["url"])  # mirrors answer with relative links
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / wheel["filename"]
        with urllib.request.urlopen(url, timeout=120) as r:
            path.write_bytes(r.read())
        # A wheel is a zip Python can run from: pip installs itself from it.
        subprocess.check_call([str(py), str(path / "pip"), "install", "-q", str(path)])


def main(extras: list[str]) -> None:
    py = python_in(TARGET)
    if not py.exists():
        try:
            import ensurepip  # noqa: F401

            with_pip = True
        except ImportError:
            with_pip = False
        try:
            venv.EnvBuilder(with_pip=with_pip).create(TARGET)
        except subprocess.CalledProcessError:  # ensurepip present but broken
            venv.EnvBuilder(with_pip=False, clear=True).create(TARGET)
    if subprocess.call([str(py), "-m", "pip", "--version"], stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL) != 0:
        bring_pip(py)
    spec = f"{ROOT}[{','.join(extras)}]" if extras else str(ROOT)
    subprocess.check_call([str(py), "-m", "pip", "install", "-q", spec])


if __name__ == "__main__":
    main(sys.argv[1:])
