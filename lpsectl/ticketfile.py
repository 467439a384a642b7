"""One ticket as one YAML file: stable key order, exact round trip, checked.

Writing: every string that a YAML 1.1 or 1.2 reader could take for anything
but a string (``yes``, ``NO``, ``on``, ``null``, ``~``, ``1e3``, ``0o17``,
``0752``, a date) is quoted, multi-line text is a literal block, and the
keys come in one fixed order, so ``git diff`` reads like a logbook.

Reading: the YAML is composed into nodes (never constructed by a loader that
could run code), every tag outside plain YAML is refused, and every problem
names the file and line.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import datetime
from functools import lru_cache
from typing import TYPE_CHECKING, Any, Optional

from lpsectl.clock import FIRST_YEAR, LAST_YEAR
from lpsectl.errors import BadInput, Damaged
from lpsectl.model import (
    ACTIONS, CHANNEL, DIFFICULTY, EDITABLE, KIND, REF_KEYS, REPORTER_FIELDS, RESOLUTION,
    SETTLES, TIER, WAIT_ON, Event, Reporter, State, Ticket, replay, review,
)
from lpsectl.i18n import _
from lpsectl.lazyre import LazyPattern

if TYPE_CHECKING:
    import yaml

SCHEMA = 1

# PyYAML is imported where it is used: a ticket file in the writer's own
# subset of YAML is read without it (lpsectl.fastyaml), so `show` never pays
# for it.


@lru_cache(maxsize=None)
def yaml_loader() -> type:
    """The C parser when PyYAML was built with libyaml, else the Python one."""
    import yaml

    return getattr(yaml, "CSafeLoader", yaml.SafeLoader)

_PLAIN_TAGS = {
    "tag:yaml.org,2002:str", "tag:yaml.org,2002:int", "tag:yaml.org,2002:null",
    "tag:yaml.org,2002:bool", "tag:yaml.org,2002:float",
    "tag:yaml.org,2002:timestamp", "tag:yaml.org,2002:map",
    "tag:yaml.org,2002:seq",
}
_CONFLICT = re.compile(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)", re.M)

# Scalars some YAML reader would not take for a string when left plain.
_NOT_PLAIN = LazyPattern(
    r"""^(?:
        ~|null|true|false|yes|no|on|off|y|n          # null and booleans, 1.1 and 1.2
      | [-+]?(?:\.inf|\.nan)                         # special floats
      | [-+]?[0-9][0-9_,:.]*(?:[eE][-+]?[0-9]+)?     # numbers, leading zeros, sexagesimal
      | [-+]?\.[0-9]+(?:[eE][-+]?[0-9]+)?
      | [-+]?0[xob][0-9a-f_]+                        # hex, octal, binary
      | [0-9]{4}-[0-9]{1,2}-[0-9]{1,2}.*              # dates and timestamps
      | <<|=
    )$""",
    re.X | re.I,
)


# A mail's own id (refs, follow-ups) or the id of an answer sent by mail
# (sent_message_id): a reply naming either threads onto the ticket.
_MSGID_LINE = re.compile(r"^[ \t-]*(?:message-id|sent_message_id): (.+)$", re.M)


def message_ids_in(text: str) -> list[str]:
    """Every Message-ID a ticket file's text names (refs, follow-ups, answers mailed), without a YAML parse."""
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")  # as a text-mode read does
    # Most files name none: every key is written `message-id: null` and no answer went by mail. Two counts
    # of a substring say so at C speed, where the search of every line costs a build more than its parse.
    if "sent_message_id:" not in text and text.count("message-id:") == text.count("message-id: null\n"):
        return []
    out = []
    for m in _MSGID_LINE.finditer(text):
        raw = m.group(1).strip()
        if not raw or raw == "null":
            continue
        try:
            value = _quoted_value(raw) if raw[0] in "'\"" else raw
        except ValueError:
            continue
        if isinstance(value, str):
            out.append(value)
    return out


def _quoted_value(raw: str) -> Any:
    """The value of a quoted scalar, as YAML reads it; ValueError when it is no YAML."""
    import yaml

    try:
        return yaml.safe_load(raw)
    except yaml.YAMLError as exc:
        raise ValueError(str(exc)) from None


_TAG = "tag:yaml.org,2002:"


class PlainScalar(str):
    """A plain scalar of a key this version does not know, kept as it was written.

    A newer version's ``1.5``, ``017``, ``2026-08-13`` or ``yes`` would
    otherwise come back as a string (and be written quoted: another type) or
    as a Python value written another way (``0x1F`` as ``31``). It is its
    text, so it merges and compares as that; it is written back plain with its
    YAML type, byte for byte.
    """

    tag: str

    def __new__(cls, text: str, tag: str) -> "PlainScalar":
        obj = super().__new__(cls, text)
        obj.tag = tag
        return obj

    def __getnewargs__(self) -> tuple[str, str]:  # type: ignore[override]
        return (str(self), self.tag)

    def __bool__(self) -> bool:
        # As the value it stands for: a `no` or a `~` is false.
        if self.tag == _TAG + "null":
            return False
        if self.tag == _TAG + "bool":
            return self.lower() in ("yes", "true", "on", "y")
        return bool(str(self))


def _represent_plain(dumper: "yaml.SafeDumper", value: PlainScalar) -> "yaml.ScalarNode":
    return dumper.represent_scalar(value.tag, str(value), style=None)


def _plain_form_changes(tag: str, text: str, value: Any) -> bool:
    """Whether the value read from a plain scalar would be written back differently."""
    if tag == _TAG + "null":
        return text != "null"
    if tag == _TAG + "bool":
        return text not in ("true", "false")
    if tag == _TAG + "int":
        return not isinstance(value, int) or str(value) != text
    return tag in (_TAG + "float", _TAG + "timestamp")  # read as their text: written quoted


# Characters only a double-quoted scalar keeps exactly (as escapes): YAML
# folds or drops them anywhere else.
_ESCAPE_ONLY = LazyPattern("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufeff\ud800-\udfff\ufffe\uffff]")


# A lone surrogate is what Python makes of bytes that are not UTF-8 (on a
# command line, in a mail header): no YAML reader takes it back.
_SURROGATE = LazyPattern("[\ud800-\udfff]")


class NotText(BadInput):
    """A value holds a character no file can store (a lone surrogate)."""


def _represent_str(dumper: "yaml.SafeDumper", value: str) -> "yaml.ScalarNode":
    style: Optional[str] = None
    if _ESCAPE_ONLY.search(value):
        bad = _SURROGATE.search(value)
        if bad:
            raise NotText(
                _("the text {value!r} holds \\u{value2:04x}, bytes that are not UTF-8 (a terminal or file in "
                  "another encoding?); give the text as UTF-8; nothing was written").format(value=value[:40], value2=ord(bad.group()))
            )
        style = '"'
    elif "\n" in value and value == value.strip(" ") and not any(
        line != line.rstrip(" \t") for line in value.split("\n")
    ) and "\r" not in value:
        style = "|"
    elif _NOT_PLAIN.match(value) or value != value.strip() or value == "":
        style = "'"
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


@lru_cache(maxsize=None)
def ticket_dumper() -> type:
    """PyYAML's Python writer with the representers above (libyaml's escapes emoji as \\U....)."""
    import yaml

    class TicketDumper(yaml.SafeDumper):
        def ignore_aliases(self, data: Any) -> bool:
            return True  # the reader refuses anchors and aliases

    TicketDumper.add_representer(PlainScalar, _represent_plain)
    TicketDumper.add_representer(str, _represent_str)
    return TicketDumper


def fmt_time(t: datetime) -> str:
    return t.isoformat()


def dump_data(data: Any) -> str:
    import yaml

    return yaml.dump(
        data, Dumper=ticket_dumper(), sort_keys=False, allow_unicode=True,
        default_flow_style=False, width=100, indent=2,
    )


def to_data(t: Ticket) -> dict[str, Any]:
    """The ticket as plain data, keys in file order."""
    state = replay(t.history)
    data: dict[str, Any] = {
        "schema": SCHEMA,
        "id": t.id,
        "channel": t.channel,
        "kind": t.kind,
        "created_at": fmt_time(t.created_at),
        "status": state.status,
        "tier": state.tier,
        "resolution": state.resolution,
        "difficulty": t.difficulty,
        "category": t.category,
        "subject": t.subject,
        "message": t.message,
        "reporter": t.reporter.as_dict(),
        "refs": {k: t.refs.get(k) for k in REF_KEYS}
        | {k: v for k, v in t.refs.items() if k not in REF_KEYS},
    }
    if t.attachments:
        data["attachments"] = list(t.attachments)
    data.update(t.extra)
    data["history"] = [event_data(e) for e in t.history]
    return data


def as_read(t: Ticket) -> Ticket:
    """``t`` as its file reads back (:func:`from_data` of :func:`to_data`), without the parse.

    Only for a ticket with no key or event field this version does not know
    (those read back as :class:`PlainScalar` where written plain). The file
    drops a ``recorded_at`` equal to ``at`` and writes the refs in
    :data:`REF_KEYS` order first; every value else reads back as written
    (the writer's exact round trip). Times keep their zone object, which
    names the same instant and the same offset.
    """
    return replace(
        t,
        refs={k: t.refs.get(k) for k in REF_KEYS} | {k: v for k, v in t.refs.items() if k not in REF_KEYS},
        attachments=list(t.attachments),
        history=[e if e.recorded_at is None or e.recorded_at != e.at else replace(e, recorded_at=None)
                 for e in t.history],
    )


def event_data(e: Event) -> dict[str, Any]:
    d: dict[str, Any] = {"at": fmt_time(e.at), "action": e.action, "by": e.by, "tier": e.tier}
    d.update(e.fields)
    if e.message is not None:
        d["message"] = e.message
    if e.recorded_at is not None and e.recorded_at != e.at:
        d["recorded_at"] = fmt_time(e.recorded_at)
    return d


def dumps(t: Ticket) -> str:
    """The ticket file's text (the fast writer, identical to PyYAML's)."""
    from lpsectl import fastyaml  # it builds on this module

    return fastyaml.dumps(t)


def dumps_pyyaml(t: Ticket) -> str:
    """The reference writer: PyYAML with the representers above."""
    return dump_data(to_data(t))


# -- reading -------------------------------------------------------------

class _Lines:
    """Line numbers of the composed nodes, by path of keys and indexes."""

    def __init__(self) -> None:
        self.at: dict[tuple, int] = {}
        # Nodes already read: a node met twice is a YAML alias.
        self.seen: set[int] = set()
        # Plain scalars that would be written back in another form: (tag, text) by
        # path; and the tags of plain keys that are no text, by the path they name.
        self.plain: dict[tuple, tuple[str, str]] = {}
        self.plain_keys: dict[tuple, str] = {}

    def of(self, *path: Any) -> Optional[int]:
        if not self.at:
            return None  # read without nodes (the fast reader): no line is known
        while path:
            if path in self.at:
                return self.at[path]
            path = path[:-1]
        return self.at.get((), None)


def _construct(node: "yaml.Node", path: tuple, lines: _Lines, where: str) -> Any:
    import yaml  # loaded already: the node is its

    lines.at[path] = node.start_mark.line + 1
    if id(node) in lines.seen:
        # An alias can nest itself or multiply a file a billionfold.
        raise Damaged(where, node.start_mark.line + 1, _("YAML anchors and aliases (&, *) are not allowed"))
    lines.seen.add(id(node))
    if node.tag not in _PLAIN_TAGS:
        raise Damaged(where, node.start_mark.line + 1, _("unsafe or unknown YAML tag {tag}").format(tag=node.tag))
    if isinstance(node, yaml.MappingNode):
        out: dict[str, Any] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode):
                raise Damaged(where, k.start_mark.line + 1, _("a key must be plain text"))
            if k.tag == "tag:yaml.org,2002:merge":
                raise Damaged(where, k.start_mark.line + 1, _("merge keys (<<) are not allowed"))
            key = str(k.value)
            if key in out:
                raise Damaged(where, k.start_mark.line + 1, _("key {key!r} appears twice").format(key=key))
            lines.at[path + (key,)] = k.start_mark.line + 1
            if not k.style and k.tag != _TAG + "str":  # a key `1:` or `2026-08-13:`, read as text
                lines.plain_keys[path + (key,)] = k.tag
            out[key] = _construct(v, path + (key,), lines, where)
        return out
    if isinstance(node, yaml.SequenceNode):
        return [_construct(v, path + (i,), lines, where) for i, v in enumerate(node.value)]
    value = node.value
    tag = node.tag
    out: Any = value  # str, float and timestamp stay the text that was written
    if tag == "tag:yaml.org,2002:null":
        out = None
    elif tag == "tag:yaml.org,2002:bool":
        out = value.lower() in ("yes", "true", "on", "y")
    elif tag == "tag:yaml.org,2002:int":
        try:
            out = int(value.replace("_", ""), 0)
        except ValueError:
            out = value
    if not node.style and tag != _TAG + "str" and _plain_form_changes(tag, value, out):  # C loader: ""
        lines.plain[path] = (tag, value)
    return out


def _keep_plain(value: Any, path: tuple, lines: _Lines) -> Any:
    """``value`` of an unknown key, its plain scalars as they were written (:class:`PlainScalar`)."""
    if not lines.plain and not lines.plain_keys:
        return value
    if isinstance(value, dict):
        keys = lines.plain_keys
        return {(PlainScalar(k, keys[path + (k,)]) if path + (k,) in keys else k): _keep_plain(v, path + (k,), lines)
                for k, v in value.items()}
    if isinstance(value, list):
        return [_keep_plain(v, path + (i,), lines) for i, v in enumerate(value)]
    hit = lines.plain.get(path)
    return PlainScalar(hit[1], hit[0]) if hit is not None else value


def parse_time(value: Any, where: str, line: Optional[int], what: str) -> datetime:
    if isinstance(value, str):
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            t = None
        if t is not None and t.tzinfo is not None:
            if not FIRST_YEAR <= t.year <= LAST_YEAR:
                raise Damaged(where, line, _("{what} {value!r} is out of range: ticket times lie in the years {FIRST_YEAR} to "
                                             "{LAST_YEAR}").format(what=what, value=value, FIRST_YEAR=FIRST_YEAR, LAST_YEAR=LAST_YEAR))
            return t
    raise Damaged(where, line, _("{what} must be an ISO 8601 time with its UTC offset, not {value!r}").format(what=what, value=value))


def _time_of(value: Any) -> Optional[datetime]:
    """The time ``value`` gives when :func:`parse_time` takes it without a word, else None (it then says why).

    Asked first of every time a file holds, so the line to name is looked
    up only for a time that is wrong.
    """
    if type(value) is str:
        try:
            t = datetime.fromisoformat(value)
        except ValueError:
            return None
        if t.tzinfo is not None and FIRST_YEAR <= t.year <= LAST_YEAR:
            return t
    return None


def loads(text: str, where: str = "<ticket>") -> Ticket:
    """Parse and check one ticket file; :class:`Damaged` names path and line."""
    return loads_with_state(text, where)[0]


def loads_with_state(text: str, where: str = "<ticket>") -> tuple[Ticket, State]:
    """:func:`loads`, with the state its check replayed from the history (an index row needs it too)."""
    # The markers' own text first: a search of every line start costs more than the rest of a fast read.
    m = _CONFLICT.search(text) if ("<" * 7 in text or "=" * 7 in text or ">" * 7 in text or "|" * 7 in text) else None
    if m:
        line = text.count("\n", 0, m.start()) + 1
        raise Damaged(where, line, _("git conflict marker; resolve the conflict or run `lpsectl sync` again"))
    from lpsectl import fastyaml  # it builds on this module

    data = fastyaml.loads_data(text)
    if data is not None:
        try:
            return from_data_with_state(data, where)
        except Damaged:
            pass  # read again by the YAML reader, which knows the line to name
    import yaml

    try:
        node = yaml.compose(text, Loader=yaml_loader())
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise Damaged(where, mark.line + 1 if mark else None, _("invalid YAML: {value}").format(value=exc.problem or exc)) from None
    except yaml.reader.ReaderError as exc:  # a NUL or another character YAML forbids
        line = text.count("\n", 0, exc.position) + 1
        what = f"U+{exc.character:04X}" if isinstance(exc.character, int) else repr(exc.character)
        raise Damaged(where, line, _("invalid YAML: character {what} is not allowed (a control character)").format(what=what)) from None
    except yaml.YAMLError as exc:
        raise Damaged(where, None, "invalid YAML: " + " ".join(str(exc).split())) from None
    except UnicodeDecodeError:
        raise Damaged(where, None, _("not UTF-8 text")) from None
    except RecursionError:
        raise Damaged(where, None, _("invalid YAML: nested too deeply")) from None
    if node is None:
        raise Damaged(where, 1, _("empty file"))
    lines = _Lines()
    try:
        data = _construct(node, (), lines, where)
    except RecursionError:
        raise Damaged(where, None, _("invalid YAML: nested too deeply")) from None
    if not isinstance(data, dict):
        raise Damaged(where, 1, _("the top level must be a mapping of ticket fields"))
    return from_data_with_state(data, where, lines)


def event_lines(text: str) -> list[int]:
    """The line of each event of a readable ticket file's history, in order."""
    import yaml

    node = yaml.compose(text, Loader=yaml_loader())
    for key, value in node.value:
        if key.value == "history" and isinstance(value, yaml.SequenceNode):
            return [item.start_mark.line + 1 for item in value.value]
    return []


def _need_str(data: dict, key: str, where: str, lines: _Lines, path: tuple = (), optional: bool = True) -> Optional[str]:
    value = data.get(key)
    if value is None:
        if optional:
            return None
        raise Damaged(where, lines.of(*path) or 1, _("missing {items}").format(items='.'.join(map(str, path + (key,)))))
    if not isinstance(value, str):
        raise Damaged(where, lines.of(*path, key), _("{items} must be text, not {value!r}").format(items='.'.join(map(str, path + (key,))), value=value))
    return value


def _vocab(vocab, value: Any, where: str, line: Optional[int]) -> str:
    if value not in vocab:
        raise Damaged(where, line, _("unknown {what} {value!r}").format(what=vocab.what, value=value))
    return value


_REPORTER_KEYS = frozenset(REPORTER_FIELDS)


def _texts(values: Any) -> bool:
    """Whether every value is text or null: what :func:`_need_str` takes without a word (at C speed)."""
    return set(map(type, values)) <= _TEXT_OR_NULL


_TEXT_OR_NULL = frozenset((str, type(None)))

_KNOWN_TOP = {
    "schema", "id", "channel", "kind", "created_at", "status", "tier", "resolution",
    "difficulty", "category", "subject", "message", "reporter", "refs",
    "attachments", "history",
}


def from_data(data: dict[str, Any], where: str = "<ticket>", lines: Optional[_Lines] = None) -> Ticket:
    return from_data_with_state(data, where, lines)[0]


def from_data_with_state(data: dict[str, Any], where: str = "<ticket>",
                         lines: Optional[_Lines] = None) -> tuple[Ticket, State]:
    """:func:`from_data`, with the state replayed from the history to check the header against it."""
    lines = lines or _Lines()
    schema = data.get("schema")
    if schema != SCHEMA:
        raise Damaged(where, lines.of("schema") or 1, _("schema {schema!r} is not {SCHEMA}; upgrade lpsectl").format(schema=schema, SCHEMA=SCHEMA))
    tid = _need_str(data, "id", where, lines, optional=False)
    channel, kind, difficulty = data.get("channel"), data.get("kind"), data.get("difficulty")
    if channel not in CHANNEL.values or kind not in KIND.values or difficulty not in DIFFICULTY.values:
        _vocab(CHANNEL, channel, where, lines.of("channel"))
        _vocab(KIND, kind, where, lines.of("kind"))
        _vocab(DIFFICULTY, difficulty, where, lines.of("difficulty"))
    created = _time_of(data.get("created_at")) or parse_time(data.get("created_at"), where, lines.of("created_at"),
                                                             "created_at")
    rep = data.get("reporter") or {}
    if not isinstance(rep, dict):
        raise Damaged(where, lines.of("reporter"), _("reporter must be a mapping"))
    if not rep.keys() <= _REPORTER_KEYS:
        unknown = set(rep) - _REPORTER_KEYS
        raise Damaged(where, lines.of("reporter", sorted(unknown)[0]), _("unknown reporter field {value!r}").format(value=sorted(unknown)[0]))
    found = [rep.get(f) for f in REPORTER_FIELDS]
    if _texts(found):
        reporter = Reporter(*found)
    else:  # to name the one that is not
        reporter = Reporter(**{f: _need_str(rep, f, where, lines, ("reporter",)) for f in REPORTER_FIELDS})
    refs_in = data.get("refs") or {}
    if not isinstance(refs_in, dict):
        raise Damaged(where, lines.of("refs"), _("refs must be a mapping"))
    refs = dict.fromkeys(REF_KEYS)
    if _texts(refs_in.values()):
        refs.update(refs_in)
    else:
        for k in refs_in:
            refs[k] = _need_str(refs_in, k, where, lines, ("refs",))
    attachments = data.get("attachments") or []
    if not isinstance(attachments, list) or (attachments and not all(isinstance(a, str) for a in attachments)):
        raise Damaged(where, lines.of("attachments"), _("attachments must be a list of file names"))
    history_in = data.get("history")
    if not isinstance(history_in, list) or not history_in:
        raise Damaged(where, lines.of("history") or 1, _("history must be a non-empty list of events"))
    history = [_event(e, i, where, lines) for i, e in enumerate(history_in)]
    if history[0].action != "open":
        raise Damaged(where, lines.of("history", 0), _("the first event must be `open`"))
    for i in range(1, len(history)):
        if history[i].sort_key() < history[i - 1].sort_key():
            raise Damaged(where, lines.of("history", i), _("events are out of time order"))
    t = Ticket(
        id=tid, channel=channel, kind=kind, created_at=created,
        subject=_need_str(data, "subject", where, lines),
        message=_need_str(data, "message", where, lines),
        category=_need_str(data, "category", where, lines),
        difficulty=difficulty, reporter=reporter, refs=refs,
        attachments=list(attachments), history=history,
        extra={} if data.keys() <= _KNOWN_TOP else
        {k: _keep_plain(v, (k,), lines) for k, v in data.items() if k not in _KNOWN_TOP},
    )
    state = replay(history)
    for key, derived in (("status", state.status), ("tier", state.tier), ("resolution", state.resolution)):
        if data.get(key) != derived:
            if review(history).conflicts:
                # Merged by an older lpsectl, which derived it without the rules: the
                # history wins, `check` names the conflicts, the next write fixes the header.
                break
            raise Damaged(
                where, lines.of(key) or 1,
                _("{key} says {value!r} but the history says {derived!r}").format(key=key, value=data.get(key), derived=derived),
            )
    return t, state


# An event's own keys, read into its attributes; the others are its fields.
_EVENT_KEYS = frozenset(("at", "action", "by", "tier", "message", "recorded_at"))
# Event fields this version reads as typed values; any other is carried as written.
KNOWN_FIELDS = {"ref", "resolution", "score", "on", "head", "changes", "former_id", "to", SETTLES}


def _event(raw: Any, i: int, where: str, lines: _Lines) -> Event:
    path = ("history", i)
    if not isinstance(raw, dict):
        raise Damaged(where, lines.of(*path), _("an event must be a mapping"))
    action = raw.get("action")
    if action not in ACTIONS:
        raise Damaged(where, lines.of(*path, "action"), _("unknown action {action!r}").format(action=action))
    at = _time_of(raw.get("at")) or parse_time(raw.get("at"), where, lines.of(*path, "at"), "at")
    recorded = raw.get("recorded_at")
    rec = None if recorded is None else (
        _time_of(recorded) or parse_time(recorded, where, lines.of(*path, "recorded_at"), "recorded_at"))
    by = _need_str(raw, "by", where, lines, path, optional=False)
    tier = raw.get("tier")
    if tier not in TIER.values:
        _vocab(TIER, tier, where, lines.of(*path, "tier"))
    message = _need_str(raw, "message", where, lines, path)
    fields = {k: (v if k in KNOWN_FIELDS else _keep_plain(v, path + (k,), lines))
              for k, v in raw.items() if k not in _EVENT_KEYS}
    for key, vocab in (("resolution", RESOLUTION), ("on", WAIT_ON)):
        if fields.get(key) is not None:
            _vocab(vocab, fields[key], where, lines.of(*path, key))
    if action == "rate":
        score = fields.get("score")
        if not isinstance(score, int) or isinstance(score, bool) or not 1 <= score <= 4:
            raise Damaged(where, lines.of(*path, "score"), _("score must be 1 to 4, not {score!r}").format(score=score))
    if action == "wait" and fields.get("on") is None:
        raise Damaged(where, lines.of(*path), _("a wait event needs `on`"))
    if action == "assign":
        if "to" not in fields:
            raise Damaged(where, lines.of(*path), _("an assign event needs `to`: the officer, or null when released"))
        to = fields["to"]
        if to is not None and (not isinstance(to, str) or not to.strip()):
            raise Damaged(where, lines.of(*path, "to"), _("to must be an officer's name or null, not {to!r}").format(to=to))
    if "changes" in fields:
        _changes(fields["changes"], where, lines, path + ("changes",))
    return Event(at=at, action=action, by=by, tier=tier, message=message, recorded_at=rec, fields=fields)


def _changes(changes: Any, where: str, lines: _Lines, path: tuple) -> None:
    """An edit's ``changes``: each field's ``from`` and ``to``, which a past period's figures undo."""
    if not isinstance(changes, dict):
        raise Damaged(where, lines.of(*path), _("changes must map each changed field to its from and to"))
    vocabs = {"difficulty": DIFFICULTY, "kind": KIND, "channel": CHANNEL}
    for name, change in changes.items():
        if name not in EDITABLE:
            continue  # written by a newer version: kept, and undone by none
        if not isinstance(change, dict) or not {"from", "to"} <= set(change):
            raise Damaged(where, lines.of(*path, name), _("changes.{name} must have a from and a to").format(name=name))
        for end in ("from", "to"):
            value = change[end]
            if name == "created_at":
                parse_time(value, where, lines.of(*path, name, end), f"changes.created_at.{end}")
            elif name in vocabs:
                if value not in vocabs[name]:
                    raise Damaged(where, lines.of(*path, name, end), _("changes.{name}.{end}: unknown {name} {value!r}").format(name=name, end=end, value=value))
            elif value is not None and not isinstance(value, str):
                raise Damaged(where, lines.of(*path, name, end), _("changes.{name}.{end} must be text, not {value!r}").format(name=name, end=end, value=value))
