"""Sending the citizens' mail outbox (the store's table: app/stores/mail.py).

After a commit that queued a message, the web process sends what is due in a background
thread (`kick`): the citizen's or the moderator's request never waits for the mail server
nor fails with it. `flask contributions send-mail` sends what is due from a cron, for what
a worker could not send (server down, process ended). Each message is claimed in a store
transaction (`mail_claim`), so two senders never send the same message; a failure is
recorded (attempts, last_error) and retried after MAIL_RETRY_MINUTES, doubled at each
attempt up to a day. A message sent keeps no recipient and no body.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
import threading
from dataclasses import dataclass
from email.message import EmailMessage
from email.utils import formatdate, make_msgid

from app.contributions.mail import mail_on, sender
from app.smtp import smtp_url
from app.stores.base import FeatureStore
from app.stores.catalog_contributions import stamp
from app.stores.mail import QueuedMail

log = logging.getLogger(__name__)
BATCH = 50  # messages claimed at once
LEASE = dt.timedelta(minutes=10)  # a claim ends after this (a sender that died mid-batch)
MAX_WAIT = dt.timedelta(days=1)

_running: dict[int, bool] = {}  # store id -> whether another pass was asked for meanwhile
_lock = threading.Lock()


@dataclass(frozen=True)
class Outcome:
    sent: int = 0
    failed: int = 0


def retry_at(settings: dict, attempts: int, now: dt.datetime) -> str:
    wait = dt.timedelta(minutes=settings["MAIL_RETRY_MINUTES"]) * 2 ** max(0, attempts - 1)
    return stamp(now + min(wait, MAX_WAIT))


def message(m: QueuedMail, from_address: str) -> EmailMessage:
    """The e-mail of a queued message: plain text, UTF-8, no HTML."""
    msg = EmailMessage()
    msg["From"] = from_address
    msg["To"] = m.recipient
    msg["Subject"] = m.subject
    msg["Date"] = formatdate(localtime=False, usegmt=True)
    msg["Message-ID"] = make_msgid(domain=from_address.rsplit("@", 1)[-1])
    msg.set_content(m.body or "", subtype="plain", charset="utf-8")
    return msg


def send_due(
    store: FeatureStore,
    settings: dict,
    from_address: str | None = None,
    now: dt.datetime | None = None,
    retry_now: bool = False,
) -> Outcome:
    """Send every message due (in batches); how many were sent and how many failed.
    `from_address`: the sender (default: `sender`, which reads the app's organisation);
    `retry_now`: also those waiting for their next attempt (the server is back)."""
    server = smtp_url(settings["SMTP_URL"])
    if server is None:
        return Outcome()
    from_address = from_address or sender(settings)
    sent = failed = 0
    while True:
        at = now or dt.datetime.now(dt.UTC)
        due_by = stamp(at + MAX_WAIT + LEASE) if retry_now else None
        batch = store.mail_claim(stamp(at), stamp(at + LEASE), BATCH, due_by)
        if not batch:
            return Outcome(sent, failed)
        try:
            conn = server.connect()
        except (OSError, smtplib.SMTPException) as exc:
            for m in batch:
                store.mail_failed(m.id, _reason(exc), retry_at(settings, m.attempts, at))
            return Outcome(sent, failed + len(batch))
        try:
            for m in batch:
                try:
                    conn.send_message(message(m, from_address))
                except (OSError, smtplib.SMTPException) as exc:
                    failed += 1
                    store.mail_failed(m.id, _reason(exc), retry_at(settings, m.attempts, at))
                else:
                    sent += 1
                    store.mail_sent(m.id, stamp())
        finally:
            try:
                conn.quit()
            except (OSError, smtplib.SMTPException):
                conn.close()
        if len(batch) < BATCH:
            return Outcome(sent, failed)


def _reason(exc: Exception) -> str:
    return f"{type(exc).__name__}: {exc}"[:500]


def kick(store: FeatureStore, settings: dict) -> None:
    """Send what is due in a background thread (one per store at a time; a kick while it
    runs makes it go round once more). Never raises: what fails stays queued."""
    if not mail_on(settings):
        return
    from_address = sender(settings)  # here: the thread has no app context
    key = id(store)
    with _lock:
        if key in _running:
            _running[key] = True
            return
        _running[key] = False
    threading.Thread(target=_loop, args=(store, settings, from_address, key), daemon=True).start()


def _loop(store: FeatureStore, settings: dict, from_address: str, key: int) -> None:
    while True:
        try:
            send_due(store, settings, from_address)
        except Exception:  # noqa: BLE001 (a background thread: log, never crash the worker)
            log.exception("sending the citizens' mail failed; it stays queued")
        with _lock:
            if not _running.get(key):
                _running.pop(key, None)
                return
            _running[key] = False
