"""Start-up is a feature: `lpsectl --help` loads no mail machinery."""

from __future__ import annotations

import subprocess
import sys


def test_the_cli_loads_without_smtp_tls_or_the_mail_modules():
    code = ("import sys; from lpsectl.cli import cli; "
            "print(sorted(m for m in ('smtplib', 'ssl', 'lpsectl.mailout', 'lpsectl.outbox') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out == "[]\n"
