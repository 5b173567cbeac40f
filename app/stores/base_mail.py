"""The mail outbox's part of the `FeatureStore` interface (app/stores/mail.py), declared
apart to keep base.py small; implemented once in app/stores/catalog_mail.py."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from app.stores.mail import QueuedMail


class MailStore(ABC):
    """The citizens' mail outbox. Messages are queued by `contribution_add` and
    `contribution_moderate` (their `compose`), in the transaction of the change."""

    @abstractmethod
    def mail_claim(
        self, now: str, lease_until: str, limit: int, due_by: str | None = None
    ) -> list[QueuedMail]:
        """Claim up to `limit` unsent messages due at `now` (or at `due_by`: sooner than
        their back-off) and not claimed by another sender (or whose claim ended), until
        `lease_until`, counting an attempt; in one transaction, so two senders never claim
        the same message."""

    @abstractmethod
    def mail_sent(self, mail_id: int, at: str) -> None:
        """Record a message as sent at `at`, deleting its recipient and body."""

    @abstractmethod
    def mail_failed(self, mail_id: int, error: str, retry_at: str) -> None:
        """Record a failed attempt: its error, and when to try again."""

    @abstractmethod
    def mail_messages(
        self, contribution_id: str | None = None, pending: bool = False, limit: int = 100
    ) -> list[QueuedMail]:
        """The outbox's rows (of one contribution; only the unsent), oldest first."""
