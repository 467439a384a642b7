"""A template that came from another desk cannot hang a command: the
installed lpsectl stops it with one error naming the template."""

from __future__ import annotations

import subprocess

# A hang-guard only: the command ends in seconds; without the bound it ran for hours.
HANG = 300


def test_a_receipt_template_with_nested_loops_ends_with_one_error(tmp_path, lpsectl_cmd):
    home = tmp_path / "helpdesk"
    subprocess.run([*lpsectl_cmd, "--operator", "Rina", "init", str(home)], check=True, capture_output=True)
    tid = subprocess.run([*lpsectl_cmd, "--home", str(home), "--operator", "Rina", "new", "-q", "-c", "kotak-saran",
                          "-s", "AC ruang tunggu panas"], check=True, capture_output=True, text=True).stdout.strip()
    (home / "templates").mkdir()
    (home / "templates" / "receipt.txt.j2").write_text(
        "{{ ticket.id }}\n{% for a in range(100000) %}{% for b in range(100000) %}.{% endfor %}{% endfor %}\n",
        encoding="utf-8")
    done = subprocess.run([*lpsectl_cmd, "--home", str(home), "receipt", tid], capture_output=True, text=True,
                          timeout=HANG)
    assert done.returncode == 1
    assert done.stdout == ""
    assert done.stderr.startswith("Error: templates/receipt.txt.j2:2: ") and "too much work" in done.stderr
    assert done.stderr.count("\n") == 1
