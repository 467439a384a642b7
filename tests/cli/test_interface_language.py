"""The interface speaks Indonesian or English: --lang, else LPSECTL_LANG, else lpsectl.yaml, else id.

What scripts read (JSON, CSV, exit codes, stored values) is the same in both.
"""

from __future__ import annotations

import os
import re
import subprocess

import pytest

from tests.conftest import ticket_file

ID = {"LPSECTL_LANG": "id"}
EN = {"LPSECTL_LANG": "en"}
UNSET = {"LPSECTL_LANG": None}
PHONE = ("-c", "telepon", "--name", "Budi Santoso", "--phone", "0752 92317")


def set_language(run, lang: str) -> None:
    config = run.home / "lpsectl.yaml"
    text = re.sub(r"(?m)^language: .*$", f"language: {lang}", config.read_text(encoding="utf-8"))
    config.write_text(text, encoding="utf-8")


def test_new_show_list_and_an_action_speak_indonesian(run):
    out = run.ok("new", *PHONE, "-s", "Lupa kata sandi", "--at", "2026-08-13T09:00", env=ID)
    assert "  dibuka: question via phone, normal, batas waktu 2026-08-21 16:00 WIB" in out
    tid = out.split()[0]
    shown = run.ok("show", tid, env=ID)
    assert "Perihal:     Lupa kata sandi" in shown
    assert "Batas waktu: 2026-08-21 16:00 WIB   (tanggapan pertama paling lambat 2026-08-14 16:00 WIB)" in shown
    assert "Pelapor:     nama: Budi Santoso; telepon: 0752 92317" in shown
    assert "Riwayat:" in shown and "oleh Rina" in shown
    listed = run.ok("list", env=ID)
    assert listed.splitlines()[0].split() == ["id", "dibuat", "kanal", "jenis", "status", "jenjang", "pemegang",
                                              "batas", "waktu", "lama", "menunggu", "perihal"]
    assert run.ok("answer", tid, "-m", "Sudah direset", "--at", "2026-08-13T10:00", env=ID) == \
        f"{tid}  answered di jenjang helpdesk\n"


def test_the_same_paths_speak_english(run):
    out = run.ok("new", *PHONE, "-s", "Forgot password", "--at", "2026-08-13T09:00", env=EN)
    assert "  opened: question via phone, normal, due 2026-08-21 16:00 WIB" in out
    tid = out.split()[0]
    shown = run.ok("show", tid, env=EN)
    assert "Subject:     Forgot password" in shown
    assert "Due:         2026-08-21 16:00 WIB   (first response by 2026-08-14 16:00 WIB)" in shown
    assert run.ok("list", env=EN).splitlines()[0].split() == ["id", "created", "channel", "kind", "status", "tier",
                                                             "holder", "due", "waited", "subject"]
    assert run.ok("answer", tid, "-m", "Reset", "--at", "2026-08-13T10:00", env=EN) == f"{tid}  answered at helpdesk\n"


@pytest.mark.parametrize("env, prefix, words", [
    (ID, "Galat: ", "tiket {tid} berstatus open: tindakan rate tidak dapat dilakukan"),
    (EN, "Error: ", "ticket {tid} is open: cannot rate it"),
])
def test_a_refused_action_is_one_line_in_the_language_with_the_same_exit_code(run, env, prefix, words):
    tid = run.new(*PHONE, "-s", "x", env=env)
    result = run("rate", tid, "3", env=env)
    assert result.exit_code == 1
    assert result.stderr.startswith(prefix + words.format(tid=tid)), result.stderr
    assert len(result.stderr.splitlines()) == 1
    assert result.stdout == ""


@pytest.mark.parametrize("env, line", [
    (ID, "Galat: Tidak ada opsi '--bogus'. (lihat '{prog} list --help')\n"),
    (EN, "Error: No such option '--bogus'. (see '{prog} list --help')\n"),
])
def test_click_usage_errors_are_translated_with_exit_code_2(run, env, line):
    result = run("list", "--bogus", env=env)
    assert result.exit_code == 2
    assert result.stderr == line.format(prog="cli")  # CliRunner names the program after the function


def test_a_missing_required_option_is_said_in_indonesian(run):
    result = run("wait", "K7QM", env=ID)
    assert result.exit_code == 2
    assert result.stderr.startswith("Galat: Belum diisi: opsi '--on'.")


def test_help_speaks_the_language(run):
    help_id = run.ok("new", "--help", env=ID)
    assert help_id.startswith("Penggunaan: cli new [OPTIONS]\n")
    assert "Buka tiket di jenjang helpdesk dan cetak id-nya." in help_id
    assert "\nOpsi:\n" in help_id and "Tampilkan pesan ini lalu keluar." in help_id
    assert "Nama pelapor." in help_id
    group_id = run.ok("--help", env=ID)
    assert "\nPerintah:\n" in group_id
    help_en = run.ok("new", "--help", env=EN)
    assert help_en.startswith("Usage: cli new [OPTIONS]\n")
    assert "Open a ticket at the helpdesk tier and print its id." in help_en
    assert "\nOptions:\n" in help_en and "Show this message and exit." in help_en


def test_lang_beats_lpsectl_lang_which_beats_the_configuration(run):
    tid = run.new(*PHONE, "-s", "x")
    set_language(run, "en")
    english, indonesian = "No tickets match.\n", "Tidak ada tiket yang cocok.\n"
    # the configuration alone
    assert run("list", "--status", "closed", env=UNSET).stderr == english
    # LPSECTL_LANG beats it
    assert run("list", "--status", "closed", env=ID).stderr == indonesian
    # --lang beats both
    assert run("--lang", "en", "list", "--status", "closed", env=ID).stderr == english
    set_language(run, "id")
    assert run("list", "--status", "closed", env=UNSET).stderr == indonesian
    assert run("list", "--status", "closed", env=EN).stderr == english
    assert run("--lang", "id", "list", "--status", "closed", env=EN).stderr == indonesian
    assert tid


def test_without_any_choice_the_language_is_indonesian(tmp_path):
    from click.testing import CliRunner

    from lpsectl.cli import cli

    result = CliRunner().invoke(cli, ["list"], env=UNSET)  # no helpdesk here: the default speaks
    assert result.exit_code == 1
    assert result.stderr.startswith("Galat: tidak ada folder helpdesk di sini maupun di atasnya")


def test_an_unknown_lpsectl_lang_is_bad_input(run):
    result = run("list", env={"LPSECTL_LANG": "fr"})
    assert result.exit_code == 2
    assert "LPSECTL_LANG=fr" in result.stderr and "id or en" in result.stderr.replace("id atau en", "id or en")


def test_json_and_csv_are_the_same_in_both_languages(run):
    tid = run.new(*PHONE, "-s", "Lupa kata sandi", "--at", "2026-08-13T09:00")
    run.ok("wait", tid, "--on", "pelapor", "--at", "2026-08-13T10:00")
    for args in (["show", tid, "--json"], ["list", "--json"], ["list", "--csv"],
                 ["report", "--month", "2026-08", "--format", "json"],
                 ["report", "--month", "2026-08", "--format", "csv"]):
        assert run.ok(*args, env=ID) == run.ok(*args, env=EN), args


def test_the_stored_ticket_is_the_same_whatever_the_language(run):
    one = run.new(*PHONE, "-s", "Sama", "--at", "2026-08-13T09:00", env=ID)
    two = run.new(*PHONE, "-s", "Sama", "--at", "2026-08-13T09:00", env=EN)
    def stored(tid: str) -> str:  # the file, but for the id and the second it was recorded in
        text = ticket_file(run.home, tid).read_text(encoding="utf-8").replace(tid, "ID")
        return re.sub(r"recorded_at: .*", "recorded_at: T", text)

    assert stored(one) == stored(two)


def test_the_installed_lpsectl_speaks_the_configured_language(helpdesk, lpsectl_cmd):
    env_id = {**os.environ, "LPSECTL_OPERATOR": "Rina"}
    env_id.pop("LPSECTL_LANG", None)  # the configuration says id
    done = subprocess.run([*lpsectl_cmd, "--home", str(helpdesk), "show", "K7QM"], capture_output=True,
                          text=True, env=env_id)
    assert done.returncode == 1
    assert done.stderr == "Galat: tidak ada tiket 'K7QM'; `lpsectl list --all` menampilkan id yang ada\n"
    done = subprocess.run([*lpsectl_cmd, "--lang", "en", "--home", str(helpdesk), "show", "K7QM"],
                          capture_output=True, text=True, env=env_id)
    assert done.returncode == 1
    assert done.stderr == "Error: no ticket 'K7QM'; `lpsectl list --all` shows the ids\n"


def test_every_step_of_the_demo_speaks_the_language_it_was_started_in(tmp_path, run):
    from lpsectl.cli import cli

    result = run.runner.invoke(cli, ["--lang", "id", "demo", str(tmp_path / "demo")], env=EN,
                               catch_exceptions=False)
    assert result.exit_code == 0, result.stderr
    assert " di jenjang " in result.stdout and " at helpdesk" not in result.stdout  # the result lines
    assert f"Helpdesk contoh ada di {tmp_path / 'demo'}" in result.stdout
