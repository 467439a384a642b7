"""Messages say "an email ticket", "a phone ticket": the article fits the word."""

from __future__ import annotations

import re

import pytest

from lpsectl.model import CHANNEL

WRONG = re.compile(r"\ba [aeiou]|\ban [^aeiou\s]", re.I)


@pytest.mark.parametrize("channel", ["email", "walk-in", "phone", "whatsapp", "portal", "lapor"])
def test_new_without_the_identity_a_channel_needs_uses_the_right_article(run, channel):
    result = run("new", "-c", channel, "-s", "x")
    assert result.exit_code == 2
    assert f"{'an' if channel == 'email' else 'a'} {channel} ticket needs" in result.stderr
    assert not WRONG.search(result.stderr), result.stderr


def test_emptying_the_address_of_an_email_ticket_says_an_email_ticket(run):
    tid = run.new("-c", "email", "--email", "a@b.id", "-s", "x")
    result = run("edit", tid, "--email", "")
    assert result.exit_code == 2
    assert "an email ticket needs --email" in result.stderr


def test_the_article_helper_fits_every_channel_kind_tier_and_status():
    from lpsectl.model import KIND, STATUS, TIER
    from lpsectl.workflow import with_article

    for vocab in (CHANNEL, KIND, TIER, STATUS):
        for word in vocab.values:
            assert not WRONG.search(with_article(word)), word
