"""The words of the service standard: channels, kinds, tiers, statuses, difficulties, resolutions.

Apart from :mod:`lpsectl.model` (tickets, events and their replay, which
re-exports these): a listing the index answers reads its filters' words
here, and never makes the dataclasses of a ticket.
"""

from __future__ import annotations

from typing import Optional

from lpsectl.errors import BadInput
from lpsectl.i18n import N_, _

# What an unknown word is told, per vocabulary: one whole sentence each.
_UNKNOWN = {
    "channel": N_("unknown channel {word!r}; use one of {values}"),
    "kind": N_("unknown kind {word!r}; use one of {values}"),
    "tier": N_("unknown tier {word!r}; use one of {values}"),
    "status": N_("unknown status {word!r}; use one of {values}"),
    "difficulty": N_("unknown difficulty {word!r}; use one of {values}"),
    "resolution": N_("unknown resolution {word!r}; use one of {values}"),
    "wait target": N_("unknown wait target {word!r}; use one of {values}"),
}


class Vocabulary:
    """A closed set of English values with their Indonesian aliases."""

    def __init__(self, what: str, values: dict[str, tuple[str, ...]]) -> None:
        self.what = what
        self.values = tuple(values)
        self._lookup: dict[str, str] = {}
        for value, aliases in values.items():
            for word in (value, *aliases):
                self._lookup[word.lower()] = value

    def __iter__(self):
        return iter(self.values)

    def __contains__(self, value: object) -> bool:
        return value in self.values

    def parse(self, word: str) -> str:
        """The English value for ``word`` (English or Indonesian, any case)."""
        key = str(word).strip().lower().replace("_", "-").replace(" ", "-")
        try:
            return self._lookup[key]
        except KeyError:
            template = _UNKNOWN.get(self.what)
            if template is None:
                raise BadInput(_("unknown {what} {word!r}; use one of {values}").format(
                    what=self.what, word=word, values=", ".join(self.values))) from None
            raise BadInput(_(template).format(word=word, values=", ".join(self.values))) from None


CHANNEL = Vocabulary(
    "channel",
    {
        "portal": ("lpse-support",),
        "phone": ("telepon", "telp", "telpon"),
        "walk-in": ("datang-langsung", "langsung", "walkin"),
        "email": ("surel", "e-mail", "mail"),
        "suggestion-box": ("kotak-saran",),
        "lapor": ("sp4n-lapor", "lapor!"),
        "whatsapp": ("wa",),
    },
)
KIND = Vocabulary(
    "kind",
    {
        "complaint": ("pengaduan",),
        "problem": ("permasalahan", "masalah"),
        "grievance": ("keluhan",),
        "suggestion": ("masukan", "saran"),
        "question": ("pertanyaan",),
    },
)
TIER = Vocabulary(
    "tier",
    {"helpdesk": (), "admin-ppe": ("adminppe", "ppe"), "lkpp": ("lkpp-ri",)},
)
STATUS = Vocabulary(
    "status",
    {
        "open": ("terbuka", "baru"),
        "waiting": ("menunggu",),
        "answered": ("dijawab", "terjawab"),
        "closed": ("ditutup", "selesai"),
    },
)
DIFFICULTY = Vocabulary(
    "difficulty",
    {
        "easy": ("ringan",),
        "normal": ("sedang",),
        "hard": ("berat", "sulit"),
        "investigation": ("investigasi",),
    },
)
RESOLUTION = Vocabulary(
    "resolution",
    {
        "answered": ("dijawab", "terjawab"),
        "redirected": ("dialihkan",),
        "referred": ("dirujuk", "dilimpahkan"),
        "duplicate": ("duplikat", "ganda"),
        "withdrawn": ("dicabut", "ditarik"),
        "invalid": ("tidak-valid", "tidak-sah"),
    },
)
WAIT_ON = Vocabulary("wait target", {"reporter": ("pelapor",), "lkpp": ()})


def officer_name(text: Optional[str]) -> Optional[str]:
    """An officer's name as holders are recorded and compared: spaces collapsed, None when empty."""
    return " ".join((text or "").split()) or None
