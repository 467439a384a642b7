"""``lpsectl.yaml``: the office, its clock and its targets, with defaults."""

from __future__ import annotations

import copy
import os
import re
from dataclasses import dataclass, field
from datetime import date, time
from pathlib import Path
from typing import TYPE_CHECKING, Any, Optional

from lpsectl.errors import BadInput
from lpsectl.home import CONFIG_NAME
from lpsectl.vocabulary import DIFFICULTY
from lpsectl.regularfile import NotRegular, TooLarge, read_regular
from lpsectl.i18n import _
from lpsectl.lazyre import LazyPattern

if TYPE_CHECKING:
    from lpsectl.mailconfig import MailConfig


DEFAULT_TEXT = """\
# lpsectl configuration of this helpdesk folder.
office:
  name: LPSE Kota Payakumbuh
  unit: Layanan Pengadaan Secara Elektronik
  address: null
  phone: null
  email: null
  website: null
# The language of messages, help, reports and receipts: id (Bahasa Indonesia) or en.
language: id
timezone: Asia/Jakarta
# The end of the office day: a deadline falls then on its last working day.
office_close: '16:00'
# Targets in working days.
sla:
  first_response: 1
  resolution:
    easy: 2
    normal: 5
    hard: 14
    investigation: 60
# Extra days the office is closed, and days it opens although a holiday
# list says otherwise (a cancelled cuti bersama), as YYYY-MM-DD.
closed_days: []
open_days: []
# Mail attachments larger than this are not kept (bytes).
attachment_max_bytes: 10485760
"""


def _parse_yaml(text: str) -> Any:
    """The configuration's data: dates stay text, so a date that is none (2026-02-30) is reported by its key.

    libyaml's parser when PyYAML has it: the pure-Python one took a sixth of
    a command's start. Raises ``yaml.YAMLError``.
    """
    import yaml

    class Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
        pass

    Loader.add_constructor("tag:yaml.org,2002:timestamp", lambda loader, node: loader.construct_scalar(node))
    return yaml.load(text, Loader=Loader)


# The parsed configuration, kept beside the index (derived, git-ignored) with
# the very bytes it was parsed from, so a command imports no PyYAML while
# lpsectl.yaml is unchanged. Its format: marshal of (CACHE_FORMAT, bytes,
# data); change CACHE_FORMAT whenever :func:`_parse_yaml` would read a file
# differently.
CACHE_NAME = Path(".lpsectl") / "config.cache"
CACHE_FORMAT = 1


def _cached(path: Path, data: bytes) -> Any:
    """The data parsed from ``data`` before, or None."""
    import marshal

    try:
        with open(path.parent / CACHE_NAME, "rb") as f:
            kept = marshal.loads(f.read())
        if kept[0] == CACHE_FORMAT and kept[1] == data:
            return kept[2]
    except Exception:  # missing, unreadable, damaged or of another format: parse again
        pass
    return None


def derived_folder(root: Path) -> Path:
    """The helpdesk's folder of derived files (``.lpsectl/``), made with a .gitignore of everything in it."""
    folder = root / CACHE_NAME.parent
    folder.mkdir(exist_ok=True)
    ignore = folder / ".gitignore"
    if not ignore.exists():
        # Derived and disposable: never committed, even where the helpdesk's .gitignore lacks it.
        ignore.write_text("# Derived by lpsectl: disposable, never committed.\n*\n", encoding="utf-8")
    return folder


def _keep(path: Path, data: bytes, raw: Any) -> None:
    """Keep ``raw`` for the next command; never fails (a read-only helpdesk parses every time)."""
    import marshal

    try:
        folder = derived_folder(path.parent)
    except OSError:
        return
    tmp = folder / f".config.cache.{os.getpid()}"
    try:
        with open(tmp, "wb") as f:
            f.write(marshal.dumps((CACHE_FORMAT, data, raw)))
        os.replace(tmp, folder / CACHE_NAME.name)
    except (OSError, ValueError):  # read-only, or a value marshal cannot keep
        try:
            os.unlink(tmp)
        except OSError:
            pass


@dataclass
class Office:
    name: str = "LPSE"
    unit: Optional[str] = None
    address: Optional[str] = None
    phone: Optional[str] = None
    email: Optional[str] = None
    website: Optional[str] = None


@dataclass
class Config:
    office: Office = field(default_factory=Office)
    language: str = "id"
    timezone: str = "Asia/Jakarta"
    office_close: time = time(16, 0)
    first_response_days: int = 1
    resolution_days: dict[str, int] = field(
        default_factory=lambda: {"easy": 2, "normal": 5, "hard": 14, "investigation": 60}
    )
    closed_days: frozenset[date] = frozenset()
    open_days: frozenset[date] = frozenset()
    attachment_max_bytes: int = 10 * 1024 * 1024
    # `lpsectl today` lists a ticket that has waited more working days than this.
    waiting_alert_days: int = 5
    retention_years: int = 5  # personal data kept this long after closing (privacy expire)
    mail: Optional[MailConfig] = None  # None: no `mail:` section, nothing is ever sent (lpsectl.mailconfig)
    raw: dict[str, Any] = field(default_factory=dict)


class ConfigProblem(BadInput):
    """``lpsectl.yaml`` cannot be used: where (path, line) and why, for `check` to list."""

    def __init__(self, path: Path, line: Optional[int], problem: str) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        super().__init__(f"{path}:{line}: {problem}" if line else f"{path}: {problem}")


def _bad(path: Path, key: str, problem: str) -> BadInput:
    return ConfigProblem(path, None, _("{key}: {problem}; fix {CONFIG_NAME}").format(key=key, problem=problem, CONFIG_NAME=CONFIG_NAME))


# A line git writes into a file it could not merge.
_CONFLICT = LazyPattern(r"^(<{7}|={7}|>{7}|\|{7})(\s|$)", re.M)  # a cached configuration needs none
MAX_CONFIG_BYTES = 1024 * 1024


def _text(path: Path, key: str, value: Any) -> Optional[str]:
    """A text field: a string or nothing. A list or a mapping would print as a
    Python repr on every report, and a number is a misread (``0752`` is octal 490)."""
    if value is None or isinstance(value, str):
        return value
    kind = {list: "a list", dict: "a mapping"}.get(type(value), f"the {type(value).__name__} {value!r}")
    raise _bad(path, key, _("must be text, not {kind}; write one line of text, in quotes if it looks like a number").format(kind=kind))


def _days(path: Path, key: str, value: Any) -> frozenset[date]:
    if value is None:
        return frozenset()
    if not isinstance(value, list):
        raise _bad(path, key, _("must be a list of dates YYYY-MM-DD"))
    out = set()
    for item in value:
        if isinstance(item, date):
            out.add(item)
            continue
        try:
            out.add(date.fromisoformat(str(item)))
        except ValueError:
            raise _bad(path, key, _("{item!r} is not a date YYYY-MM-DD").format(item=item)) from None
    return frozenset(out)


# More working days than this is a typo, and would run deadlines past the calendar's end.
MAX_DAYS = 1000


def _positive_int(path: Path, key: str, value: Any, unit: str = "days", most: Optional[int] = MAX_DAYS) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        raise _bad(path, key, _("must be a whole number of {unit}, not {value!r}").format(unit=unit, value=value))
    if most is not None and value > most:
        raise _bad(path, key, _("{value} {unit} is more than {most}").format(value=value, unit=unit, most=most))
    return value


def load(path: Path) -> Config:
    try:
        # Never through a symlink (to /dev/zero, say), never waiting on a FIFO.
        data = read_regular(path, MAX_CONFIG_BYTES)[0]
        raw = _cached(path, data)
        if raw is not None:
            return from_dict(raw, path)
        text = data.decode("utf-8")
    except NotRegular as exc:
        raise ConfigProblem(path, None, _("not a regular file ({kind}); make {CONFIG_NAME} a plain file").format(kind=exc.kind, CONFIG_NAME=CONFIG_NAME)) from None
    except TooLarge as exc:
        raise ConfigProblem(path, None, _("{size} bytes: too large for a configuration; fix {CONFIG_NAME}").format(size=exc.size, CONFIG_NAME=CONFIG_NAME)) from None
    except OSError as exc:
        raise BadInput(_("cannot read {path}: {problem}").format(path=path, problem=exc.strerror)) from None
    except UnicodeDecodeError:
        raise ConfigProblem(path, None, _("not UTF-8 text; save {CONFIG_NAME} as UTF-8").format(CONFIG_NAME=CONFIG_NAME)) from None
    conflict = _CONFLICT.search(text)
    if conflict:
        raise ConfigProblem(
            path, text.count("\n", 0, conflict.start()) + 1,
            _("git conflict marker: the merge of {CONFIG_NAME} is not finished; keep both desks' "
              "settings, remove the <<<<<<< ======= >>>>>>> lines, then `git add {CONFIG_NAME}` and `git "
              "commit`").format(CONFIG_NAME=CONFIG_NAME))
    import yaml

    try:
        raw = _parse_yaml(text) or {}
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise ConfigProblem(path, mark.line + 1 if mark else None,
                            _("invalid YAML in the configuration; fix {CONFIG_NAME}").format(CONFIG_NAME=CONFIG_NAME)) from None
    if not isinstance(raw, dict):
        raise ConfigProblem(path, None, _("the configuration must be a mapping; fix {CONFIG_NAME}").format(CONFIG_NAME=CONFIG_NAME))
    config = from_dict(raw, path)
    _keep(path, data, raw)
    return config


def from_dict(raw: dict[str, Any], path: Path = Path(CONFIG_NAME)) -> Config:
    cfg = Config(raw=copy.deepcopy(raw))
    office = raw.get("office") or {}
    if not isinstance(office, dict):
        raise _bad(path, "office", _("must be a mapping"))
    cfg.office = Office(**{k: _text(path, f"office.{k}", office[k])
                           for k in Office.__dataclass_fields__ if k in office})
    if not cfg.office.name:
        cfg.office.name = "LPSE"
    lang = str(raw.get("language", "id")).lower()
    if lang not in ("id", "en"):
        raise _bad(path, "language", _("{lang!r} is not id or en").format(lang=lang))
    cfg.language = lang
    tzname = str(raw.get("timezone", "Asia/Jakarta"))
    from lpsectl.clock import zone  # local: clock imports this module's types

    zone(tzname, path)
    cfg.timezone = tzname
    close = raw.get("office_close", "16:00")
    if isinstance(close, int):  # YAML 1.1 reads 16:00 unquoted as sexagesimal 960
        close = f"{close // 60:02d}:{close % 60:02d}"
    try:
        cfg.office_close = time.fromisoformat(str(close))
    except ValueError:
        raise _bad(path, "office_close", _("{close!r} is not a time HH:MM").format(close=close)) from None
    sla = raw.get("sla") or {}
    if not isinstance(sla, dict):
        raise _bad(path, "sla", _("must be a mapping"))
    if "first_response" in sla:
        cfg.first_response_days = _positive_int(path, "sla.first_response", sla["first_response"])
    res = sla.get("resolution") or {}
    if not isinstance(res, dict):
        raise _bad(path, "sla.resolution", _("must map difficulties to days"))
    for key, value in res.items():
        try:
            diff = DIFFICULTY.parse(key)
        except BadInput:
            raise _bad(path, f"sla.resolution.{key}", _("unknown difficulty; use {items}").format(items=', '.join(DIFFICULTY))) from None
        cfg.resolution_days[diff] = _positive_int(path, f"sla.resolution.{key}", value)
    cfg.closed_days = _days(path, "closed_days", raw.get("closed_days"))
    cfg.open_days = _days(path, "open_days", raw.get("open_days"))
    if "attachment_max_bytes" in raw:
        cfg.attachment_max_bytes = _positive_int(path, "attachment_max_bytes", raw["attachment_max_bytes"],
                                                 "bytes", None)
    if "waiting_alert_days" in raw:
        cfg.waiting_alert_days = _positive_int(path, "waiting_alert_days", raw["waiting_alert_days"], "working days")
    if "retention" in raw:
        cfg.retention_years = _positive_int(path, "retention", raw["retention"], "years", 100)
    if raw.get("mail") is not None:
        from lpsectl.mailconfig import from_raw

        cfg.mail = from_raw(path, raw["mail"], cfg.office)
    return cfg
