"""Reading real-world mail: charsets, encodings, HTML, forwards, mbox quirks."""

from __future__ import annotations

from pathlib import Path

import pytest

from lpsectl.intake.mail import (
    MailRef, Unreadable, decode_text, find, html_to_text, parse, safe_name, strip_quoted,
)

DATA = Path(__file__).resolve().parent.parent / "data" / "mail"


def read(name: str):
    ref = MailRef(DATA / name)
    return parse(ref.read(), ref)


def test_quoted_printable_utf8_body_and_base64_encoded_word_subject():
    m = read("qp-utf8.eml")
    assert m.subject == "Tidak bisa unggah dokumen penawaran"
    assert m.name == "Siti Núrhaliza" and m.address == "siti@penyedia.co.id"
    assert 'paket "Rehabilitasi Jalan Lingkar Utara" — muncul pesan galat.' in m.text
    assert m.text.startswith("Selamat pagi Bapak/Ibu,\n\nKami")
    assert m.message_id == "<CAF1qp@mail.penyedia.co.id>"
    assert m.date.isoformat() == "2026-08-13T09:15:00+07:00"


def test_multipart_alternative_prefers_the_plain_text_and_decodes_base64():
    m = read("base64-alternative.eml")
    assert m.text == "Kapan jadwal pembukaan penawaran? Terima kasih."
    assert m.subject == "Pertanyaan tentang jadwal lelang (café)"


def test_windows_1252_and_iso_8859_1_bodies():
    assert read("windows-1252.eml").text == "Layanan \u201ccepat\u201d sekali \u2013 terima kasih, café."
    assert read("iso-8859-1.eml").text == "Ruang tunggu perlu kipas; sudah déjà dibahas."


def test_html_only_mail_becomes_readable_text():
    assert read("html-only.eml").text == (
        "Akun saya terkunci setelah 3× salah kata sandi.\n\n"
        "- Nama pengguna: dewi01\n- Instansi: Dinas PU\n\n"
        "Lihat portal (https://lpse.payakumbuhkota.go.id)."
    )


def test_a_forwarded_mail_keeps_the_forwarded_text_and_its_attachment():
    m = read("forwarded.eml")
    assert m.text.startswith("Mohon ditindaklanjuti.\n\n---------- Forwarded message ----------\n")
    assert "From: Penyedia <penyedia@cv-jaya.id>" in m.text
    assert m.text.endswith("Kami keberatan atas hasil evaluasi.")
    assert [(a.name, a.data) for a in m.attachments] == [("../../bukti.pdf", b"%PDF-1.4\n")]


def test_missing_date_and_missing_from():
    assert read("no-date.eml").date is None
    with pytest.raises(Unreadable, match="no sender address in From, Reply-To or Sender"):
        read("no-from.eml")
    m = read("reply-to-only.eml")
    assert (m.name, m.address) == ("Balas", "balas@contoh.id")


def test_mbox_splits_only_on_real_separators_and_unescapes_from_lines():
    refs = find([DATA / "inbox.mbox"])
    assert [r.number for r in refs] == [1, 2, 3]
    first = parse(refs[0].read(), refs[0])
    assert first.text == ("Baris pertama.\nFrom the desk of Budi: ini bukan pemisah.\n"
                          "From sini juga bukan.")
    assert parse(refs[1].read(), refs[1]).text == "From now on we use the portal."
    with pytest.raises(Unreadable):
        parse(refs[2].read(), refs[2])


def test_maildir_folders_and_folders_of_eml_files(tmp_path):
    md = tmp_path / "Maildir"
    for sub in ("cur", "new", "tmp"):
        (md / sub).mkdir(parents=True)
    (md / "new" / "1.host").write_bytes((DATA / "qp-utf8.eml").read_bytes())
    (md / "cur" / "2.host:2,S").write_bytes((DATA / "html-only.eml").read_bytes())
    assert [r.path.name for r in find([md])] == ["1.host", "2.host:2,S"]
    assert len(find([DATA])) == 10 + 3  # ten .eml files and the three mails of inbox.mbox


def test_charset_fallbacks():
    assert decode_text("kafé".encode("utf-8"), "us-ascii") == "kafé"
    assert decode_text(b"caf\xe9", None) == "café"
    assert decode_text(b"abc", "x-unknown") == "abc"
    with pytest.raises(Unreadable, match="unknown charset"):
        decode_text(b"caf\xe9", "x-unknown")


def test_attachment_names_cannot_leave_their_folder():
    assert safe_name("../../bukti.pdf") == "bukti.pdf"
    assert safe_name("C:\\Users\\x\\scan.jpg") == "scan.jpg"
    assert safe_name("..") == "attachment"
    assert safe_name("con.txt") == "_con.txt"
    assert safe_name('a<b>:"|?*.txt') == "a_b______.txt"


def test_reply_text_without_the_quoted_mail():
    assert strip_quoted("Sudah bisa.\n\nOn Thu, 13 Aug 2026 LPSE wrote:\n> coba lagi\n> x") == "Sudah bisa."
    assert strip_quoted("Oke.\n\nPada 13 Agu 2026, LPSE menulis:\n> coba") == "Oke."
    assert strip_quoted("Baik.\n-----Original Message-----\nFrom: x\nisi") == "Baik."
    assert strip_quoted("> only a quote") == "> only a quote"


def test_html_to_text_escapes_nothing_and_drops_scripts():
    assert html_to_text("<div>a &amp; b</div><script>x()</script><div>c</div>") == "a & b\nc"
