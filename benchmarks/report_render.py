"""What rendering a large recap costs, in CPU time and in template steps.

    python benchmarks/report_render.py [N]     # default 100000 overdue rows

Takes the sample year of the test suite and lists N tickets as overdue (the
longest table a recap has), then renders it as Markdown and as HTML. Prints,
per format, the CPU seconds, the characters written and the steps the
sandbox counted (lpsectl/sandbox.py: loop iterations, calls, filter work)
against its bound MAX_STEPS.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))  # report_samples.py

from report_samples import WIB, august_tickets  # noqa: E402

from lpsectl import reports, sandbox  # noqa: E402
from lpsectl.clock import Calendar  # noqa: E402
from lpsectl.config import from_dict  # noqa: E402


def main(n: int) -> None:
    cfg = from_dict({})
    cal = Calendar.from_config(cfg)
    fig = reports.figures(august_tickets(), cfg, cal, reports.parse_period(year="2026"),
                          datetime(2027, 1, 15, tzinfo=WIB))
    row = fig["overdue"][0]
    fig["overdue"] = [dict(row, id=f"2608-{i:06d}", subject="Subjek yang cukup panjang untuk satu baris tabel")
                      for i in range(n)]
    steps: list[int] = []
    real = sandbox.BoundedSandbox.render_bounded

    def counting(self: sandbox.BoundedSandbox, template, context):  # noqa: ANN001, ANN202
        text = real(self, template, context)
        steps.append(sandbox.MAX_STEPS - self.steps_left)
        return text

    sandbox.BoundedSandbox.render_bounded = counting  # type: ignore[method-assign]
    for fmt in ("md", "html"):
        start = time.process_time()
        text = reports.render_report(fig, fmt, "id", WIB)
        cpu = time.process_time() - start
        print(f"{fmt:4} {n} overdue rows: {cpu:6.2f} s CPU, {len(text):,} characters, "
              f"{steps[-1]:,} steps of {sandbox.MAX_STEPS:,}")


if __name__ == "__main__":
    import argparse

    ap = argparse.ArgumentParser(description="What rendering a large recap costs, in CPU time and in template steps.")
    ap.add_argument("n", nargs="?", type=int, default=100_000, help="overdue rows (default 100000)")
    main(ap.parse_args().n)
