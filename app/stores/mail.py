"""The citizens' mail outbox as the store keeps it (the sending is app/contributions/outbox.py).

One table, `contribution_mail`, beside the contributions': a message is inserted in the
same transaction as the change it reports (a submission, an approval, a rejection, the
council's answer, a change of state), so a message is queued if and only if that change is
committed. A sender claims due messages in a transaction (one sender per message, even with
several workers), sends them after it, and records the result: once sent, the recipient and
the body are deleted and only that it was sent is kept (for the audit); a failure keeps the
message with its error and the time of the next attempt.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from app.stores.contributions import Contribution

MAIL_COLUMNS = (
    "id, contribution_id, recipient, language, subject, body, created_at, due_at, sent_at, "
    "attempts, last_error"
)


def mail_table_sql(name: str, serial: str) -> list[str]:
    """The DDL of the outbox (`serial`: the back end's auto-increment key). `IF NOT EXISTS`:
    a store made before it gains it on open."""
    bare = name.rsplit(".", 1)[-1]
    return [
        f"CREATE TABLE IF NOT EXISTS {name} (id {serial}, contribution_id TEXT NOT NULL, "
        "recipient TEXT, language TEXT NOT NULL, subject TEXT NOT NULL, body TEXT, "
        "created_at TEXT NOT NULL, due_at TEXT NOT NULL, claimed_until TEXT, sent_at TEXT, "
        "attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT)",
        f"CREATE INDEX IF NOT EXISTS {bare}_due ON {name} (sent_at, due_at)",
    ]


@dataclass(frozen=True)
class Letter:
    """A message as the rules compose it: plain text, in the citizen's language."""

    subject: str
    body: str


#: Composes the message reporting a change, from the contribution as the change left it and
#: the citizen's language; None: nothing to report. Called inside the store's transaction.
Compose = Callable[[Contribution, str], "Letter | None"]


@dataclass(frozen=True)
class QueuedMail:
    """A row of the outbox. Once sent, `recipient` and `body` are None."""

    id: int
    contribution_id: str
    recipient: str | None
    language: str
    subject: str
    body: str | None
    created_at: str
    due_at: str
    sent_at: str | None
    attempts: int
    last_error: str | None


def queued_of(row) -> QueuedMail:
    values = list(row)
    values[0], values[9] = int(values[0]), int(values[9] or 0)
    return QueuedMail(*values)
