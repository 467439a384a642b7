"""The HTML report in a real browser: headless Chromium opens it, shows the
figures, draws the charts and prints it on A4; no text is clipped and
nothing overflows its card, on a 1280 px screen and on A4.

Skipped when no Chromium is installed, unless LPSECTL_REQUIRE_BROWSER=1
(CI sets it, and installs Debian's `chromium`), then it fails.
"""

from __future__ import annotations

import html
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import zlib
from datetime import datetime
from pathlib import Path
from typing import Optional

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # tests/report_samples.py
from report_samples import WIB, at, august_tickets  # noqa: E402

from lpsectl import reports  # noqa: E402
from lpsectl import workflow as wf  # noqa: E402
from lpsectl.clock import Calendar  # noqa: E402
from lpsectl.config import from_dict  # noqa: E402
from lpsectl.model import Reporter  # noqa: E402
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
    done = subprocess.run([*lpsectl_cmd, "report", "--month", "2026-08", "--lang", "id", "-o", str(out)],
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
    assert 'class="hbars"' in dom  # tickets by channel
    assert dom.count("<svg") >= 1  # on time against late


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


def test_the_channel_bars_show_under_a_helpdesk_stylesheet_that_predates_them(chromium, tmp_path):
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "style.css.j2").write_text("body { font-family: serif; margin: 0; }\n", encoding="utf-8")
    cfg = from_dict({"office": OFFICE})
    fig = reports.figures(august_tickets(), cfg, Calendar.from_config(cfg), reports.month_period(2026, 8), AFTER)
    page = tmp_path / "rekap.html"
    page.write_text(reports.render_report(fig, "html", "id", WIB, tmp_path), encoding="utf-8")
    png = tmp_path / "report.png"
    done = chromium(f"--screenshot={png}", "--window-size=800,900", "--hide-scrollbars", page.as_uri())
    assert png.exists(), done.stderr.decode(errors="replace")[-2000:]
    _, _, pixels = decode_png(png.read_bytes())
    assert pixels.count((0x3D, 0x7C, 0xC9)) > 200, "no channel bar drawn"


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


# -- layout: nothing clipped, nothing past the edge of its card ---------------------

# Run in the page after it is laid out: every text (HTML and SVG) and every
# box inside a card (.page, .kpi, .block, .receipt) must lie inside the
# card's content box, every SVG text inside its drawing (which clips), no
# element may hide overflowing content, and the page must not scroll
# sideways. The verdict is written into the DOM, which --dump-dom returns.
LAYOUT_CHECK = r"""
(function () {
  "use strict";
  const TOL = 0.75;  // sub-pixel rounding
  const problems = [], seen = new Set(), texts = [];
  let checked = 0;
  function describe(node) {
    const el = node.nodeType === 1 ? node : node.parentElement;
    let path = "";
    for (let e = el; e && e !== document.body && path.split(">").length < 4; e = e.parentElement) {
      const cls = typeof e.className === "string" && e.className ? "." + e.className.split(" ")[0] : "";
      path = e.tagName.toLowerCase() + cls + (path ? ">" + path : "");
    }
    const text = (node.textContent || "").replace(/\s+/g, " ").trim().slice(0, 40);
    return path + (text ? ' "' + text + '"' : "");
  }
  function report(kind, node, r, box) {
    const key = kind + describe(node);
    if (seen.has(key)) return;
    seen.add(key);
    const edges = (b) => [b.left, b.right, b.top, b.bottom].map(Math.round).join(",");
    problems.push(kind + ": " + describe(node) + " [" + edges(r) + "] outside [" + edges(box) + "]");
  }
  function inside(r, box) {
    return r.left >= box.left - TOL && r.right <= box.right + TOL && r.top >= box.top - TOL && r.bottom <= box.bottom + TOL;
  }
  function contentBox(el) {
    const r = el.getBoundingClientRect(), cs = getComputedStyle(el);
    const px = (p) => parseFloat(cs[p]) || 0;
    return {left: r.left + px("borderLeftWidth") + px("paddingLeft"),
            right: r.right - px("borderRightWidth") - px("paddingRight"),
            top: r.top + px("borderTopWidth") + px("paddingTop"),
            bottom: r.bottom - px("borderBottomWidth") - px("paddingBottom")};
  }
  for (const card of document.querySelectorAll(".page, .kpi, .block, .receipt")) {
    const box = contentBox(card);
    const walker = document.createTreeWalker(card, NodeFilter.SHOW_ELEMENT | NodeFilter.SHOW_TEXT);
    for (let n = walker.nextNode(); n; n = walker.nextNode()) {
      if (n.nodeType === 3) {
        if (!n.textContent.trim() || n.parentElement.closest("svg")) continue;
        texts.push(n.textContent.trim());
        // The glyph box of a line may stand out of a tight line-height (below
        // zero half-leading) with no ink outside: allow that, vertically only.
        const lh = parseFloat(getComputedStyle(n.parentElement).lineHeight);
        const range = document.createRange();
        range.selectNodeContents(n);
        for (const r of range.getClientRects()) {
          if (r.width === 0 || r.height === 0) continue;
          checked++;
          const slack = isNaN(lh) ? 0 : Math.max(0, (r.height - lh) / 2);
          if (!inside(r, {left: box.left, right: box.right, top: box.top - slack, bottom: box.bottom + slack})) {
            report("text outside its card", n, r, box);
          }
        }
      } else {
        const r = n.getBoundingClientRect();
        if ((r.width === 0 && r.height === 0) || n.tagName.toLowerCase() === "title") continue;
        checked++;
        if (!inside(r, box)) report("box outside its card", n, r, box);
      }
    }
  }
  for (const svg of document.querySelectorAll("svg")) {
    const box = svg.getBoundingClientRect();
    for (const t of svg.querySelectorAll("text")) {
      checked++;
      texts.push(t.textContent.trim());
      if (!inside(t.getBoundingClientRect(), box)) report("svg text clipped", t, t.getBoundingClientRect(), box);
    }
  }
  for (const el of document.querySelectorAll("body *")) {
    if (el.closest("svg")) continue;
    const cs = getComputedStyle(el);
    if ((cs.overflowX !== "visible" && el.scrollWidth > el.clientWidth + 1) ||
        (cs.overflowY !== "visible" && el.scrollHeight > el.clientHeight + 1) || cs.textOverflow === "ellipsis") {
      report("clipped by its overflow", el, el.getBoundingClientRect(), contentBox(el));
    }
  }
  let right = 0;
  for (const el of document.querySelectorAll("body *")) {
    if (!el.closest("svg") || el.tagName.toLowerCase() === "svg") right = Math.max(right, el.getBoundingClientRect().right);
  }
  if (right > PAGE_WIDTH + 1) problems.push("the page is wider than " + PAGE_WIDTH + " px: " + Math.round(right));
  const out = document.createElement("pre");
  out.id = "layout-check";
  out.textContent = JSON.stringify({width: document.documentElement.getBoundingClientRect().width, checked: checked, texts: texts, problems: problems});
  document.body.appendChild(out);
})();
"""

MM = 96 / 25.4  # CSS pixels in a millimetre
PAPER_MM = {"A4": (210, 297), "A5": (148, 210)}


def print_width(page: str) -> int:
    """The width in CSS px a printer lays the page out at: its last @page rule's size less its margins."""
    rules = re.findall(r"@page\s*\{\s*size:\s*([^;]+);\s*margin:\s*([^;}]+)", page)
    assert rules, "no @page rule: the page does not say how it prints"
    size, margin = rules[-1]
    width_mm = PAPER_MM[size.strip()][0] if size.strip() in PAPER_MM else float(size.split()[0].rstrip("m"))
    sides = [float(m.rstrip("m")) for m in margin.split()]
    horizontal = sides[1] if len(sides) > 1 else sides[0]
    return int((width_mm - 2 * horizontal) * MM)


# A machine without Liberation Sans or Arial draws with its own sans-serif,
# often the wider DejaVu Sans: the layout must hold whatever the font.
WIDE_FONT = '<style>body, svg text { font-family: "DejaVu Sans", sans-serif !important; }</style>'


def check_layout(chromium, page: str, folder: Path, mode: str) -> dict:
    """What LAYOUT_CHECK finds in ``page`` on a 1280 px screen, or as printed (mode "print");
    "wide font": on the screen, in a wider font than the stylesheet asks for."""
    if mode == "wide font":
        page = page.replace("</head>", WIDE_FONT + "</head>")
    if mode == "print":
        # The print rules applied on a window as wide as the printed page:
        # Chromium lays a printed page out the same way.
        width = print_width(page)
        assert "@media print" in page
        page = page.replace("@media print", "@media all")
    else:
        width = 1280
    assert "</body>" in page
    # Chromium's window is at least 500 px wide: a narrower page (a receipt
    # of 100 mm) is laid out in a root element of its width.
    narrow = f"<style>html {{ width: {width}px; }}</style>" if width < 500 else ""
    script = f"{narrow}<script>const PAGE_WIDTH = {width};\n{LAYOUT_CHECK}</script>\n</body>"
    path = folder / f"layout-{mode}.html"
    path.write_text(page.replace("</body>", script), encoding="utf-8")
    done = chromium(f"--window-size={max(width, 500)},1200", "--hide-scrollbars", "--dump-dom", path.as_uri())
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    found = re.search(r'<pre id="layout-check">(.*?)</pre>', done.stdout.decode("utf-8"), re.S)
    assert found, "the layout check did not run"
    verdict = json.loads(html.unescape(found.group(1)))
    assert verdict["width"] == width
    return verdict


BAD_PAGE = """<!DOCTYPE html><html><head><meta charset="utf-8"><style>
body { margin: 0; font: 14px Arial, sans-serif; }
.page { width: 300px; padding: 10px; }
td { white-space: nowrap; }
.cut { width: 80px; overflow: hidden; white-space: nowrap; }
@page { size: A4; margin: 14mm 12mm; }
@media print { .page { width: 200px; } }
</style></head><body><main class="page">
<table><tr><td>Persentase tepat waktu</td><td>Median waktu (hari kerja)</td><td>Tanggapan pertama</td></tr></table>
<svg viewBox="0 0 320 30" width="160"><text x="126" y="14" text-anchor="end" font-size="12">LPSE Support (portal) dari aplikasi</text></svg>
<div class="cut">Datang langsung ke kantor LPSE</div>
</main></body></html>
"""


@pytest.mark.parametrize("mode", ["screen", "print"])
def test_the_layout_check_finds_clipped_text_and_a_table_past_its_card(chromium, tmp_path, mode):
    verdict = check_layout(chromium, BAD_PAGE, tmp_path, mode)
    problems = "\n".join(verdict["problems"])
    assert 'box outside its card: main.page>table "Persentase tepat waktu' in problems, problems
    assert 'text outside its card: table>tbody>tr>td "Median waktu (hari kerja)"' in problems, problems
    assert 'svg text clipped: main.page>svg>text "LPSE Support (portal)' in problems, problems
    assert 'clipped by its overflow: main.page>div.cut "Datang langsung' in problems, problems


OFFICE = {
    "name": "LPSE Kota Payakumbuh", "unit": "Layanan Pengadaan Secara Elektronik",
    "address": "Jl. Veteran No. 70, Payakumbuh", "phone": "(0752) 92317",
    "email": "lpse@payakumbuhkota.go.id", "website": "https://lpse.payakumbuhkota.go.id",
}
# An office and texts that push every column: long names, words without spaces.
LONG_OFFICE = {
    "name": "LPSE Kementerian Pendayagunaan Aparatur Negara dan Reformasi Birokrasi Republik Indonesia",
    "unit": "Layanan Pengadaan Secara Elektronik",
    "address": "Jl. Jenderal Sudirman Kavling 69, Kebayoran Baru, Jakarta Selatan 12190",
    "phone": "(021) 7398381 / 0811 1111 2222", "email": "helpdesk.lpse.pengadaan@kementerian-contoh.go.id",
    "website": "https://lpse.kementerian-pendayagunaan-aparatur-negara.go.id/eproc4/helpdesk",
}
AFTER = datetime(2026, 10, 1, 9, 0, tzinfo=WIB)


def _long_texts() -> list:
    tickets = august_tickets()
    tickets.append(wf.new_ticket(
        "2608-ZZZZ22", at("2026-08-03T09:00"), "lapor", "question", Reporter(),
        "https://lpse.payakumbuhkota.go.id/eproc4/lelang/12345678/pengumumanlelang?tahap=pembuktian-kualifikasi",
        None, "registrasi-dan-verifikasi-penyedia-barang-jasa-sikap-terintegrasi", None,
        "LAPOR-2026-08-000123456789"))
    return tickets


def _page(which: str) -> str:
    office = LONG_OFFICE if which.startswith("long") else OFFICE
    cfg = from_dict({"office": office})
    cal = Calendar.from_config(cfg)
    tickets = _long_texts() if which.startswith("long") else august_tickets()
    if which.endswith("receipt"):
        lapor = next(t for t in tickets if t.channel == "lapor")
        data = reports.receipt_data(lapor, cfg, cal, AFTER)
        return reports.render_receipt(data, "html", "id", WIB)
    if which == "year public":
        fig = reports.figures(tickets, cfg, cal, reports.parse_period(year="2026"),
                              datetime(2027, 1, 15, tzinfo=WIB), public=True)
        return reports.render_report(fig, "html", "id", WIB)
    lang = "en" if which == "month en" else "id"
    fig = reports.figures(tickets, cfg, cal, reports.month_period(2026, 8), AFTER)
    return reports.render_report(fig, "html", lang, WIB)


@pytest.mark.parametrize("mode", ["screen", "print", "wide font"])
def test_no_text_is_clipped_and_nothing_overflows_its_card(chromium, report_html, tmp_path, mode):
    """The report the installed lpsectl wrote, at 1280 px and on A4."""
    verdict = check_layout(chromium, report_html.read_text(encoding="utf-8"), tmp_path, mode)
    assert verdict["problems"] == []
    assert verdict["checked"] > 500
    # What issue 8 saw cut off or sticking out is among what was measured.
    for text in ("LPSE Support (portal)", "Median waktu (hari kerja)", "Belum jatuh tempo",
                 "Persentase tepat waktu"):
        assert text in verdict["texts"], text


@pytest.mark.parametrize("which", ["month en", "year public", "long month", "long receipt"])
@pytest.mark.parametrize("mode", ["screen", "print"])
def test_every_page_fits_on_screen_and_on_paper(chromium, tmp_path, mode, which):
    verdict = check_layout(chromium, _page(which), tmp_path, mode)
    assert verdict["problems"] == []
    assert verdict["checked"] > (50 if which.endswith("receipt") else 500)


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
