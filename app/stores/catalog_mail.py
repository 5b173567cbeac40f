"""The citizens' mail outbox in the store, written once for every back end (the table:
`mail.py`). `ContributionsMixin` builds on this: `_mail_enqueue` runs in the transaction
of the change a message reports, `_mail_forget` and `_mail_purge` in those of
`contributions_forget` and `contributions_purge`. The claims and results of the senders
are transactions under the contributions' writer lock, so two senders (threads, workers,
a cron) never claim the same message.
"""

from __future__ import annotations

from dataclasses import replace

from app.stores.catalog_photos import PhotosMixin
from app.stores.contributions import PUBLIC_COLUMNS, contribution_of
from app.stores.mail import MAIL_COLUMNS, Compose, QueuedMail, queued_of

LOCK = "contributions"


class MailMixin(PhotosMixin):
    """The outbox's reads and writes (`_csql`, `_changing` and `_catalog_reads` come from
    the contributions' mixin and the catalog)."""

    def _mail_enqueue(self, conn, contribution_id: str, compose: Compose | None, at: str) -> None:
        """Queue the message `compose` makes, if the contribution has an e-mail (in the
        caller's transaction, after its change)."""
        if compose is None:
            return
        private = conn.execute(
            self._csql("SELECT email, language FROM {private} WHERE contribution_id = ?"),
            (str(contribution_id),),
        ).fetchone()
        if private is None or not private[0]:
            return
        row = conn.execute(
            self._csql(f"SELECT {PUBLIC_COLUMNS} FROM {{contributions}} WHERE id = ?"),
            (str(contribution_id),),
        ).fetchone()
        language = private[1] or "it"
        letter = compose(contribution_of(row), language)
        if letter is None:
            return
        conn.execute(
            self._csql(
                "INSERT INTO {mail} (contribution_id, recipient, language, subject, body, "
                "created_at, due_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)"
            ),
            (str(contribution_id), private[0], language, letter.subject, letter.body, at, at),
        )

    def _mail_forget(self, conn, email: str) -> int:
        """Delete the unsent messages to an address; how many."""
        where = "sent_at IS NULL AND lower(recipient) = lower(?)"
        return self._mail_delete(conn, where, (email,))

    def _mail_purge(self, conn, before: str) -> int:
        """Delete the unsent messages queued before `before`, and those whose contribution
        no longer has an e-mail (purged or forgotten); how many."""
        where = (
            "sent_at IS NULL AND (created_at < ? OR contribution_id NOT IN "
            "(SELECT contribution_id FROM {private} WHERE email IS NOT NULL))"
        )
        return self._mail_delete(conn, where, (before,))

    def _mail_delete(self, conn, where: str, params: tuple) -> int:
        count = conn.execute(
            self._csql(f"SELECT count(*) FROM {{mail}} WHERE {where}"), params
        ).fetchone()[0]
        if count:
            conn.execute(self._csql(f"DELETE FROM {{mail}} WHERE {where}"), params)
        return int(count)

    def mail_claim(
        self, now: str, lease_until: str, limit: int, due_by: str | None = None
    ) -> list[QueuedMail]:
        with self._changing(LOCK) as conn:
            rows = conn.execute(
                self._csql(
                    f"SELECT {MAIL_COLUMNS} FROM {{mail}} WHERE sent_at IS NULL AND "
                    "due_at <= ? AND (claimed_until IS NULL OR claimed_until < ?) "
                    "ORDER BY id LIMIT ?"
                ),
                (due_by or now, now, int(limit)),
            ).fetchall()
            for row in rows:
                conn.execute(
                    self._csql(
                        "UPDATE {mail} SET claimed_until = ?, attempts = attempts + 1 WHERE id = ?"
                    ),
                    (lease_until, row[0]),
                )
        return [replace(queued_of(r), attempts=int(r[9] or 0) + 1) for r in rows]

    def mail_sent(self, mail_id: int, at: str) -> None:
        with self._changing(LOCK) as conn:
            conn.execute(
                self._csql(
                    "UPDATE {mail} SET sent_at = ?, recipient = NULL, body = NULL, "
                    "claimed_until = NULL, last_error = NULL WHERE id = ?"
                ),
                (at, int(mail_id)),
            )

    def mail_failed(self, mail_id: int, error: str, retry_at: str) -> None:
        with self._changing(LOCK) as conn:
            conn.execute(
                self._csql(
                    "UPDATE {mail} SET last_error = ?, due_at = ?, claimed_until = NULL "
                    "WHERE id = ? AND sent_at IS NULL"
                ),
                (str(error)[:500], retry_at, int(mail_id)),
            )

    def mail_messages(
        self, contribution_id: str | None = None, pending: bool = False, limit: int = 100
    ) -> list[QueuedMail]:
        where, params = [], []
        if contribution_id is not None:
            where.append("contribution_id = ?")
            params.append(str(contribution_id))
        if pending:
            where.append("sent_at IS NULL")
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._catalog_reads() as conn:
            rows = conn.execute(
                self._csql(f"SELECT {MAIL_COLUMNS} FROM {{mail}} {clause} ORDER BY id LIMIT ?"),
                [*params, int(limit)],
            ).fetchall()
        return [queued_of(r) for r in rows]
