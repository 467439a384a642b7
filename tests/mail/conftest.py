"""A real SMTP server in the test process (aiosmtpd on 127.0.0.1, a free port) and its helpers.

Each server records what it received: the envelope and the mail's bytes as
they arrived. Servers can refuse a recipient (550 in RCPT), drop the
connection in DATA, speak STARTTLS or implicit TLS with a throw-away
certificate (trustme), and demand a login.
"""

from __future__ import annotations

import socket
import ssl
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any, Iterator, Optional

import pytest

aiosmtpd = pytest.importorskip("aiosmtpd")
trustme = pytest.importorskip("trustme")

from aiosmtpd.controller import Controller  # noqa: E402
from aiosmtpd.smtp import AuthResult, LoginPassword  # noqa: E402

USER = "helpdesk@lpse.example.go.id"
PASSWORD = "rahasia-Ü-2026"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    data: bytes

    @property
    def message(self):
        return message_from_bytes(self.data, policy=policy.default)


@dataclass
class Recorder:
    """The server's handler: keeps every mail it accepted."""

    reject: set[str] = field(default_factory=set)
    drop_in_data: bool = False
    received: list[Received] = field(default_factory=list)
    data_started: int = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):  # noqa: ANN001
        if address in self.reject:
            return f"550 5.1.1 <{address}>: Recipient address rejected: User unknown"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):  # noqa: ANN001
        self.data_started += 1
        if self.drop_in_data:
            server.transport.close()  # the line goes dead before the server says 250
            return "421 closing"
        self.received.append(Received(envelope.mail_from, list(envelope.rcpt_tos), envelope.original_content))
        return "250 2.0.0 Ok: queued"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _authenticator(server, session, envelope, mechanism, auth_data):  # noqa: ANN001
    ok = (isinstance(auth_data, LoginPassword) and auth_data.login == USER.encode()
          and auth_data.password == PASSWORD.encode("utf-8"))
    return AuthResult(success=ok, handled=False)  # handled=False: the server says 535 itself


@dataclass
class Server:
    handler: Recorder
    port: int
    security: str
    cafile: Optional[Path]
    auth: bool

    @property
    def received(self) -> list[Received]:
        return self.handler.received

    def mail_yaml(self, **extra: Any) -> str:
        """The `mail:` section that reaches this server."""
        lines = ["mail:", "  smtp_host: 127.0.0.1", f"  smtp_port: {self.port}", f"  security: {self.security}",
                 f"  from: {USER}"]
        if self.cafile:
            lines.append(f"  cafile: {self.cafile}")
        if self.auth:
            lines.append(f"  username: {USER}")
        for key, value in extra.items():
            lines.append(f"  {key}: {value}")
        return "\n".join(lines) + "\n"


@pytest.fixture(scope="session")
def ca() -> Any:
    return trustme.CA()


@pytest.fixture(scope="session")
def ca_file(ca, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("ca") / "office-ca.pem"
    ca.cert_pem.write_to_path(str(path))
    return path


@pytest.fixture
def smtp(ca, ca_file, monkeypatch) -> Iterator:
    """``smtp(security="none"|"starttls"|"ssl", auth=False, reject=(), drop_in_data=False)`` starts a server."""
    started: list[Controller] = []

    def start(security: str = "none", auth: bool = False, reject: tuple = (), drop_in_data: bool = False,
              trusted: bool = True) -> Server:
        handler = Recorder(reject=set(reject), drop_in_data=drop_in_data)
        ctx = None
        if security != "none":
            ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
            ca.issue_cert("127.0.0.1", "localhost").configure_cert(ctx)
        kwargs: dict[str, Any] = {}
        if security == "starttls":
            kwargs.update(tls_context=ctx, require_starttls=True)
        elif security == "ssl":
            kwargs.update(ssl_context=ctx)
        if auth:
            kwargs.update(authenticator=_authenticator, auth_required=True, auth_require_tls=security != "none")
            monkeypatch.setenv("LPSECTL_SMTP_PASSWORD", PASSWORD)
        port = free_port()
        controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10, **kwargs)
        controller.start()
        started.append(controller)
        return Server(handler, port, security, ca_file if (security != "none" and trusted) else None, auth)

    yield start
    for c in started:
        c.stop()


@pytest.fixture
def silent_port() -> Iterator[int]:
    """A port that accepts connections and never says a word (a server that hangs)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    s.listen(5)
    try:
        yield s.getsockname()[1]
    finally:
        s.close()


def configure(home: Path, text: str, office_email: Optional[str] = None, language: Optional[str] = None) -> None:
    """Append ``text`` (a `mail:` section) to the helpdesk's lpsectl.yaml."""
    cfg = home / "lpsectl.yaml"
    body = cfg.read_text(encoding="utf-8")
    if office_email:
        body = body.replace("  email: null", f"  email: {office_email}", 1)
    if language:
        body = body.replace("language: id", f"language: {language}", 1)
    cfg.write_text(body + text, encoding="utf-8")


def closed_port() -> int:
    """A port nobody listens on: a connection is refused."""
    return free_port()
