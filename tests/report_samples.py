"""A helpdesk of known contents for the report tests (August 2026, WIB).

Working days of August 2026: 3–7, 10–14, 18–21, 24, 26–28, 31 (17 August
is Independence Day, 25 August the Prophet's Birthday). Each ticket says
what the August recap must count for it, as of 31 August 23:59 WIB.
Every reporter value and every written text is distinctive, so a scan for
it in public output cannot be fooled by an accidental match.
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from lpsectl import workflow as wf
from lpsectl.model import Reporter, Ticket

WIB = ZoneInfo("Asia/Jakarta")
OFFICER = "Rina Petugas"

# What the tests look for in public output; none may appear there.
PERSONAL = {
    "name": ["Budi Privatnama", "Siti Privatnama", "Hendra Privatnama", "Yusuf Privatnama",
             "Rudi Privatnama", "Dewi Privatnama"],
    "address": ["Jl. Rahasia Nomor 7", "Jl. Tersembunyi 12"],
    "phone": ["0752 917 3344", "0813 7712 0099", "0752 930 0117", "0811 660 7788", "0811 555 4321"],
    "email": ["dewi.privat@contoh.co.id"],
    "account": ["cv.privat.jaya", "pt.privat.negeri"],
    "role": ["Direktur Privatrole"],
    "subject": [],  # filled below from the tickets
    "message": [],
    "ref": ["LAPOR-PRIV-4471920", "LS-PRIV-118842"],
    "attachment": ["ktp-privat-budi.pdf"],
}


def at(text: str) -> wf.Act:
    t = datetime.fromisoformat(text).replace(tzinfo=WIB)
    return wf.Act(OFFICER, t, t, at_given=True)


def _new(tid: str, when: str, channel: str, kind: str, subject: str, message: str | None = None,
         difficulty: str | None = None, category: str | None = None, ref: str | None = None,
         **reporter: str) -> Ticket:
    t = wf.new_ticket(tid, at(when), channel, kind, Reporter(**reporter), subject, message,
                      category, difficulty, ref)
    PERSONAL["subject"].append(subject)
    if message:
        PERSONAL["message"].append(message)
    return t


def _say(text: str) -> str:
    PERSONAL["message"].append(text)
    return text


def august_tickets() -> list[Ticket]:
    """Nine tickets opened in August 2026, one in July and one in September."""
    for key in ("subject", "message"):
        PERSONAL[key].clear()
    out: list[Ticket] = []

    # T1 phone, easy, Thu 13 Aug: due Tue 18 Aug 16:00 (SPEC); response by Fri 14.
    # Answered Fri 14 10:00: response 1 day on time, resolution 1 day on time. Rated 4.
    t = _new("2608-AAAA22", "2026-08-13T09:00", "phone", "question", "Subjek privat lupa kata sandi",
             difficulty="easy", name="Budi Privatnama", phone="0752 917 3344")
    t.attachments = ["ktp-privat-budi.pdf"]
    wf.answer(t, at("2026-08-14T10:00"), _say("Jawaban privat: sandi direset"))
    wf.rate(t, at("2026-08-14T11:00"), 4)
    wf.close(t, at("2026-08-14T12:00"), None, None)
    out.append(t)

    # T2 walk-in complaint, Mon 3 Aug: response by Tue 4, due Mon 10 Aug.
    # Answered Wed 12 09:00: 7 working days, both late. Rated 2.
    t = _new("2608-BBBB33", "2026-08-03T10:00", "walk-in", "complaint", "Subjek privat petugas tidak ramah",
             message="Pesan privat keluhan panjang", name="Rudi Privatnama", address="Jl. Rahasia Nomor 7",
             phone="0811 660 7788", role="Direktur Privatrole")
    wf.note(t, at("2026-08-03T11:00"), _say("Catatan privat dengan Kepala"), head=True)
    wf.answer(t, at("2026-08-12T09:00"), _say("Jawaban privat permohonan maaf"))
    wf.rate(t, at("2026-08-13T09:00"), 2)
    wf.close(t, at("2026-08-13T09:30"), None, None)
    out.append(t)

    # T3 portal problem, hard, upload, Tue 4 Aug: to LKPP, waits on it 5 Aug 09:30 to
    # 12 Aug 09:00 (closes 5–11 Aug paused), answered Fri 14 10:00: resolution
    # 3 days, on time (due 2 Sep); first response (the answer) 8 days, late. Rated 3.
    t = _new("2608-CCCC44", "2026-08-04T14:00", "portal", "problem", "Subjek privat unggah gagal",
             difficulty="hard", category="upload", account="cv.privat.jaya")
    wf.escalate(t, at("2026-08-04T15:00"), _say("Alasan privat eskalasi"), None)
    wf.escalate(t, at("2026-08-05T09:00"), None, "LS-PRIV-118842")
    wf.wait(t, at("2026-08-05T09:30"), "lkpp", None)
    wf.resume(t, at("2026-08-12T09:00"), None)
    wf.answer(t, at("2026-08-14T10:00"), _say("Jawaban privat dari LKPP"))
    wf.rate(t, at("2026-08-17T09:00"), 3)
    out.append(t)

    # T4 email, login, Fri 7 Aug: due Fri 14 Aug, escalated, never answered in
    # August: open and 9 working days late on 31 Aug (answered 3 Sep).
    t = _new("2608-DDDD55", "2026-08-07T08:00", "email", "question", "Subjek privat akun terkunci",
             category="login", email="dewi.privat@contoh.co.id", name="Dewi Privatnama")
    wf.escalate(t, at("2026-08-10T09:00"), None, None)
    wf.answer(t, at("2026-09-03T09:00"), _say("Jawaban privat terlambat"))
    out.append(t)

    # T5 anonymous slip found on Mon 17 Aug (a holiday): response by Tue 18, due
    # Mon 24. Answered (and so closed) Thu 20 10:00: 3 days; response late, resolution on time.
    t = _new("2608-EEEE66", "2026-08-17T08:00", "suggestion-box", "suggestion", "Subjek privat ruang tunggu panas")
    wf.answer(t, at("2026-08-20T10:00"), _say("Jawaban privat AC diperbaiki"))
    out.append(t)

    # T6 whatsapp grievance, easy, Tue 18 Aug 15:00: waits on the reporter 19 Aug 09:00
    # (the first response, on time, 1 day) until a follow-up on Mon 24 09:00; due Wed 26.
    # Answered Fri 28 10:00: 4 days, late. Its rating comes in September: not counted.
    t = _new("2608-FFFF77", "2026-08-18T15:00", "whatsapp", "grievance", "Subjek privat verifikasi lama",
             difficulty="easy", name="Hendra Privatnama", phone="0813 7712 0099")
    wf.wait(t, at("2026-08-19T09:00"), "reporter", _say("Permintaan privat NPWP"))
    wf.followup(t, at("2026-08-24T09:00"), _say("Balasan privat pelapor"))
    wf.answer(t, at("2026-08-28T10:00"), _say("Jawaban privat verifikasi selesai"))
    wf.rate(t, at("2026-09-02T09:00"), 4)
    out.append(t)

    # T7 lapor complaint closed as duplicate: in the counts, in no SLA figure.
    t = _new("2608-GGGG88", "2026-08-20T09:00", "lapor", "complaint", "Subjek privat laporan ganda",
             ref="LAPOR-PRIV-4471920")
    wf.close(t, at("2026-08-20T10:00"), "duplicate", _say("Alasan privat duplikat"))
    out.append(t)

    # T8 phone, Mon 31 Aug 15:00: open, nothing due yet.
    t = _new("2608-HHHH99", "2026-08-31T15:00", "phone", "question", "Subjek privat jadwal pelatihan",
             name="Yusuf Privatnama", phone="0752 930 0117")
    out.append(t)

    # T9 portal, easy, "Login" (same category as "login"), Mon 24 Aug: answered at
    # 11:00 (0 days), rated 4, reopened Thu 27 (closes 24 and 26 paused: due Fri 28),
    # answered again 27 14:00: resolution 1 day, on time. Re-rated 3 on 28 Aug.
    t = _new("2608-JJJJ22", "2026-08-24T09:00", "portal", "question", "Subjek privat ganti email akun",
             difficulty="easy", category="Login", account="pt.privat.negeri")
    wf.answer(t, at("2026-08-24T11:00"), _say("Jawaban privat pertama"))
    wf.rate(t, at("2026-08-24T12:00"), 4)
    wf.reopen(t, at("2026-08-27T09:00"), _say("Alasan privat dibuka lagi"))
    wf.answer(t, at("2026-08-27T14:00"), _say("Jawaban privat kedua"))
    wf.rate(t, at("2026-08-28T09:00"), 3)
    out.append(t)

    # Outside August: a July ticket (its category "akun" shows as 0) and a September one.
    t = _new("2607-KKKK33", "2026-07-31T10:00", "walk-in", "question", "Subjek privat bulan Juli",
             category="akun", name="Siti Privatnama", address="Jl. Tersembunyi 12", phone="0811 555 4321")
    out.append(t)
    t = _new("2609-MMMM44", "2026-09-01T09:00", "phone", "question", "Subjek privat bulan September",
             category="pajak", name="Siti Privatnama", phone="0811 555 4321")
    out.append(t)
    return out


def personal_values() -> list[str]:
    august_tickets()
    return [v for values in PERSONAL.values() for v in values]
