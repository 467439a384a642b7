"""The HTML report in a real browser: headless Chromium opens it, shows the
figures, draws the charts and prints it on A4.

Skipped when no Chromium is installed, unless LPSECTL_REQUIRE_BROWSER=1
(CI sets it, and installs Debian's `chromium`), then it fails.
"""

from __future__ import annotations

import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from pathlib import Path
from typing import Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/report_samples.py
from report_samples import august_tickets  # noqa: E402

from lpsectl.store import Helpdesk  # noqa: E402

# Read at import: the autouse fixture clears LPSECTL_* before each test runs.
REQUIRE_BROWSER = os.environ.get("LPSECTL_REQUIRE_BROWSER") == "1"
# Generous: a slow machine starting a browser for the first time.
BROWSER_TIMEOUT = 300


def find_chromium() -> Optional[str]:
    for name in ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable"):
        found = shutil.which(name)
        if found:
            return found
    return "/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None


@pytest.fixture
def chromium(tmp_path):
    exe = find_chromium()
    if exe is None:
        if REQUIRE_BROWSER:
            pytest.fail("Chromium is required (LPSECTL_REQUIRE_BROWSER=1) but not installed")
        pytest.skip("no Chromium installed (apt-get install chromium)")
    profile = tmp_path / "chromium-profile"

    def run(*args: str) -> subprocess.CompletedProcess:
        cmd = [exe, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
               "--disable-background-networking", "--disable-component-update", "--disable-sync",
               "--disable-dev-shm-usage", f"--user-data-dir={profile}", *args]
        return subprocess.run(cmd, capture_output=True, timeout=BROWSER_TIMEOUT)

    return run


@pytest.fixture
def report_html(tmp_path, lpsectl_cmd) -> Path:
    """The August report of the sample store, made by the installed lpsectl."""
    home = tmp_path / "helpdesk"
    subprocess.run([*lpsectl_cmd, "--operator", "Rina", "init", str(home)], check=True, capture_output=True)
    config = home / "lpsectl.yaml"
    config.write_text(config.read_text().replace("phone: null", "phone: (0752) 92317", 1))
    hd = Helpdesk(home)
    for t in august_tickets():
        hd.save(t)
    out = tmp_path / "rekap agustus.html"
    done = subprocess.run([*lpsectl_cmd, "report", "--month", "2026-08", "-o", str(out)],
                          cwd=home, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    return out


def test_chromium_shows_the_total_and_the_office(chromium, report_html):
    done = chromium("--dump-dom", report_html.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    dom = done.stdout.decode("utf-8")
    assert re.search(r'<div class="value" id="total">\s*9\s*</div>', dom)
    assert "LPSE Kota Payakumbuh" in dom and "(0752) 92317" in dom
    assert dom.count("<svg") >= 2  # tickets by channel, on time against late


def test_chromium_screenshot_is_not_blank_and_draws_the_charts(chromium, report_html, tmp_path):
    png = tmp_path / "report.png"
    done = chromium(f"--screenshot={png}", "--window-size=1200,1600", "--hide-scrollbars",
                    report_html.as_uri())
    assert png.exists(), done.stderr.decode(errors="replace")[-2000:]
    width, height, pixels = decode_png(png.read_bytes())
    assert (width, height) == (1200, 1600)
    colours = {}
    for p in pixels:
        colours[p] = colours.get(p, 0) + 1
    background = max(colours, key=colours.get)
    drawn = len(pixels) - colours[background]
    assert len(colours) > 100, "the page looks blank"
    assert drawn > len(pixels) // 20, "almost nothing drawn"
    # The chart colours of the stylesheet: channel bars, on time, late.
    for rgb in ((0x3D, 0x7C, 0xC9), (0x2E, 0x7D, 0x32), (0xC6, 0x28, 0x28)):
        assert colours.get(rgb, 0) > 200, f"no chart drawn in #{bytes(rgb).hex()}"


def test_chromium_prints_it_on_a4(chromium, report_html, tmp_path):
    pdf = tmp_path / "report.pdf"
    done = chromium(f"--print-to-pdf={pdf}", "--no-pdf-header-footer", report_html.as_uri())
    assert pdf.exists(), done.stderr.decode(errors="replace")[-2000:]
    data = pdf.read_bytes()
    boxes = re.findall(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", data)
    assert boxes, "no page in the PDF"
    for w, h in boxes:  # A4 is 595 x 842 points
        assert abs(float(w) - 595.3) < 2 and abs(float(h) - 841.9) < 2, (w, h)
    assert 1 <= len(boxes) <= 4


def decode_png(data: bytes) -> tuple[int, int, list[tuple[int, int, int]]]:
    """Width, height and RGB pixels of an 8-bit RGB or RGBA PNG (what Chromium writes)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    assert header is not None
    width, height, depth, colour, _, _, interlace = header
    assert depth == 8 and colour in (2, 6) and interlace == 0, header
    bpp = 3 if colour == 2 else 4
    raw = zlib.decompress(idat)
    stride = width * bpp
    prev = bytearray(stride)
    pixels: list[tuple[int, int, int]] = []
    for y in range(height):
        start = y * (stride + 1)
        kind, line = raw[start], bytearray(raw[start + 1:start + 1 + stride])
        for i in range(stride):
            a = line[i - bpp] if i >= bpp else 0
            b = prev[i]
            c = prev[i - bpp] if i >= bpp else 0
            if kind == 1:
                line[i] = (line[i] + a) & 255
            elif kind == 2:
                line[i] = (line[i] + b) & 255
            elif kind == 3:
                line[i] = (line[i] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[i] = (line[i] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        pixels.extend(tuple(line[i:i + 3]) for i in range(0, stride, bpp))
        prev = line
    return width, height, pixels
