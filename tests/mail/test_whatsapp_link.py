"""`answer --wa` prints a wa.me link with the answer, the number written as 62..."""

from __future__ import annotations

import pytest

from lpsectl.errors import BadInput
from lpsectl.mailout import wa_number
from tests.conftest import git, ticket_file


@pytest.mark.parametrize("written, number", [
    ("0812-3456-7890", "6281234567890"),
    ("+62 812 3456 7890", "6281234567890"),
    ("62-812-3456-7890", "6281234567890"),
    ("(0752) 92317", "6275292317"),
    ("0752 92317", "6275292317"),
    ("812 3456 7890", "6281234567890"),
    ("+60 12-345 6789", "60123456789"),
])
def test_numbers_are_normalised_to_62(written, number):
    assert wa_number(written) == number


@pytest.mark.parametrize("written", ["123", "", "abc", "+62"])
def test_a_number_that_is_none_is_bad_input(written):
    with pytest.raises(BadInput):
        wa_number(written)


def test_the_link_carries_the_url_encoded_answer_after_recording(run):
    tid = run.new("-c", "wa", "--name", "Ani", "--phone", "+62 812-3456-7890", "-s", "Tanya jadwal")
    out = run.ok("answer", tid, "-m", "Jadwal: Senin–Jumat 08.00 & 16.00 — “tepat waktu”?")
    assert "wa.me" not in out
    tid2 = run.new("-c", "telepon", "--name", "Ani", "--phone", "(0752) 92317", "-s", "Tanya jadwal")
    out = run.ok("answer", tid2, "-m", "Jadwal: Senin–Jumat 08.00 & 16.00 — “tepat waktu”?", "--wa")
    assert out == (f"{tid2}  answered at helpdesk\n"
                   "https://wa.me/6275292317?text=Jadwal%3A%20Senin%E2%80%93Jumat%2008.00%20%26%2016.00%20"
                   "%E2%80%94%20%E2%80%9Ctepat%20waktu%E2%80%9D%3F\n")
    assert "answer" in ticket_file(run.home, tid2).read_text().split("history:")[1]


def test_wa_on_another_channel_is_refused_before_recording(run):
    tid = run.new("-c", "surel", "--email", "siti@penyedia.co.id", "--phone", "0812", "-s", "Tanya")
    before = ticket_file(run.home, tid).read_bytes(), git(run.home, "rev-parse", "HEAD")
    result = run("answer", tid, "-m", "Jawaban", "--wa")
    assert result.exit_code == 2
    assert result.stderr == (f"Error: --wa is for phone and WhatsApp tickets with a phone number; ticket {tid} "
                             "came through email\n")
    assert (ticket_file(run.home, tid).read_bytes(), git(run.home, "rev-parse", "HEAD")) == before


def test_wa_with_a_number_that_is_none_is_refused_before_recording(run):
    tid = run.new("-c", "telepon", "--name", "Ani", "--phone", "123", "-s", "Tanya")
    before = ticket_file(run.home, tid).read_bytes()
    result = run("answer", tid, "-m", "Jawaban", "--wa")
    assert result.exit_code == 2 and "cannot be made a WhatsApp number" in result.stderr
    assert ticket_file(run.home, tid).read_bytes() == before
