"""SMTP_URL (app/settings.py) parsed, and a connection to the server it names (the stdlib's
smtplib: no third-party service). The citizens' outbox (app/contributions/outbox.py) sends
through it."""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

SMTP_SCHEMES = {"smtp": 25, "smtp+starttls": 587, "smtps": 465}
#: Seconds to wait for the server at each step: a hung server fails the attempt instead.
TIMEOUT = 30


@dataclass(frozen=True)
class SmtpServer:
    """SMTP_URL, parsed: how to reach the mail server."""

    scheme: str
    host: str
    port: int
    user: str | None
    password: str | None

    def connect(self) -> smtplib.SMTP:
        """A connection, logged in if the URL names a user (the caller closes it)."""
        if self.scheme == "smtps":
            conn: smtplib.SMTP = smtplib.SMTP_SSL(
                self.host, self.port, timeout=TIMEOUT, context=ssl.create_default_context()
            )
        else:
            conn = smtplib.SMTP(self.host, self.port, timeout=TIMEOUT)
        try:
            if self.scheme == "smtp+starttls":
                conn.starttls(context=ssl.create_default_context())
            if self.user:
                conn.login(self.user, self.password or "")
        except BaseException:
            conn.close()
            raise
        return conn


def smtp_url(raw: str) -> SmtpServer | None:
    """SMTP_URL parsed (None if empty); ValueError naming what is wrong."""
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in SMTP_SCHEMES:
        raise ValueError(f"expected a URL starting {', '.join(s + '://' for s in SMTP_SCHEMES)}")
    if not parts.hostname:
        raise ValueError("the URL names no host")
    try:
        port = parts.port or SMTP_SCHEMES[parts.scheme]
    except ValueError:
        raise ValueError("the port is not a number") from None
    user = unquote(parts.username) if parts.username else None
    password = unquote(parts.password) if parts.password else None
    return SmtpServer(parts.scheme, parts.hostname, port, user, password)
