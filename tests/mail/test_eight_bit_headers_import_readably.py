"""A mail whose headers carry raw UTF-8 (not RFC 2047 encoded) imports as a readable ticket."""

from __future__ import annotations

import json


def test_a_raw_utf8_sender_name_and_subject_are_kept_as_text(run, tmp_path):
    eml = tmp_path / "raw.eml"
    eml.write_bytes("From: Désirée Putri <desiree@penyedia.co.id>\r\nSubject: Gagal unggah — dokumen\r\n"
                    "Date: Mon, 31 Aug 2026 09:15:00 +0700\r\nMessage-ID: <raw-1@penyedia.co.id>\r\n\r\n"
                    "Dokumen saya gagal diunggah.\r\n".encode("utf-8"))
    tid = run.ok("import-mail", str(eml)).split()[0]
    shown = json.loads(run.ok("show", tid, "--json"))
    assert shown["reporter"]["name"] == "Désirée Putri"
    assert shown["subject"] == "Gagal unggah — dokumen"
    run.ok("check")
