"""Citizens' contributions in the store, written once for every back end (see
`contributions.py` for the tables). `VersionCatalog` mixes this in: it supplies
`_changing`, `_catalog_reads`, `_audit` and the placeholder; each back end names the
tables in CONTRIBUTION_TABLES and creates them when the store is opened.

Every write is one transaction under the store's writer lock for the key "contributions":
the rate limits are counted and the contribution inserted in the same transaction, so a
burst from many workers cannot slip past them, and an accepted contribution is committed
(it does not depend on any layer's version: a publish or a rollback leaves it alone).
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from app.errors import ContributionChanged, ContributionNotFound, TooManyContributions
from app.stores.catalog_mail import MailMixin
from app.stores.catalog_photos import audit_counts
from app.stores.contributions import (
    PUBLIC_COLUMNS,
    Contribution,
    ContributionPage,
    NewContribution,
    Photo,
    RateLimits,
    contribution_of,
)
from app.stores.like import literal_pattern
from app.stores.mail import Compose

LOCK = "contributions"
#: The columns moderation may change (the service decides how).
MODERATED = frozenset(
    ("status", "reason", "duplicate_of", "state", "office", "answer", "answered_at", "flags")
)
REDACTED = "[rimosso]"


def stamp(at: dt.datetime | None = None) -> str:
    """A contribution's time: UTC, ISO 8601 to the microsecond (sorts as text)."""
    return (at or dt.datetime.now(dt.UTC)).isoformat(timespec="microseconds")


@functools.lru_cache(maxsize=256)
def _compile(template: str, placeholder: str, tables: tuple[str, str, str, str], mail: str) -> str:
    public, private, flags, photos = tables
    text = template.format(
        contributions=public, private=private, flags=flags, photos=photos, mail=mail
    )
    return text.replace("?", placeholder)


class ContributionsMixin(MailMixin):
    """The contributions' reads and writes (see the module docstring)."""

    #: The names of the tables in SQL: public part, personal data, flags, photos.
    CONTRIBUTION_TABLES: tuple[str, str, str, str]
    #: The mail outbox's table (app/stores/mail.py).
    MAIL_TABLE: str
    #: A case-insensitive LIKE of `{column}` against a canonical pattern (app/stores/like.py),
    #: one `?`: PostgreSQL's ILIKE; SQLite's LIKE folds ASCII only, so cql2_like there.
    CONTAINS_TEXT: str

    def _csql(self, template: str) -> str:
        return _compile(template, self.PLACEHOLDER, self.CONTRIBUTION_TABLES, self.MAIL_TABLE)

    # -- reads -----------------------------------------------------------------------

    def contribution(self, contribution_id: str) -> Contribution:
        with self._catalog_reads() as conn:
            row = conn.execute(
                self._csql(f"SELECT {PUBLIC_COLUMNS} FROM {{contributions}} WHERE id = ?"),
                (str(contribution_id),),
            ).fetchone()
        if row is None:
            raise ContributionNotFound(f"no contribution '{str(contribution_id)[:40]}'")
        return contribution_of(row)

    def contribution_followed(self, follow_digest: str) -> Contribution | None:
        with self._catalog_reads() as conn:
            row = conn.execute(
                self._csql(
                    f"SELECT {PUBLIC_COLUMNS} FROM {{contributions}} WHERE follow_digest = ?"
                ),
                (follow_digest,),
            ).fetchone()
        return None if row is None else contribution_of(row)

    def contribution_email(self, contribution_id: str) -> str | None:
        with self._catalog_reads() as conn:
            row = conn.execute(
                self._csql("SELECT email FROM {private} WHERE contribution_id = ?"),
                (str(contribution_id),),
            ).fetchone()
        return None if row is None else row[0]

    def contributions(
        self,
        *,
        status: str | None = "approvato",
        limit: int = 20,
        offset: int = 0,
        newest_first: bool = True,
        **filters,
    ) -> ContributionPage:
        where, params = self._contribution_where(status=status, **filters)
        if where is None:
            return ContributionPage([], 0)
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        order = "DESC" if newest_first else "ASC"
        with self._catalog_reads() as conn:
            total = conn.execute(
                self._csql(f"SELECT count(*) FROM {{contributions}} {clause}"), params
            ).fetchone()[0]
            rows = conn.execute(
                self._csql(
                    f"SELECT {PUBLIC_COLUMNS} FROM {{contributions}} {clause} "
                    f"ORDER BY created_at {order}, id {order} LIMIT ? OFFSET ?"
                ),
                [*params, int(limit), int(offset)],
            ).fetchall()
        return ContributionPage([contribution_of(r) for r in rows], int(total))

    def contribution_status_counts(self, **filters) -> dict[str, int]:
        """{moderation status: count} of the contributions these filters select (those
        of `contributions`, but the status), in one query."""
        where, params = self._contribution_where(status=None, **filters)
        if where is None:
            return {}
        clause = f"WHERE {' AND '.join(where)}" if where else ""
        with self._catalog_reads() as conn:
            rows = conn.execute(
                self._csql(
                    f"SELECT status, count(*) FROM {{contributions}} {clause} GROUP BY status"
                ),
                params,
            ).fetchall()
        return {s: int(n) for s, n in rows}

    def _contribution_where(
        self,
        *,
        status: str | None,
        target_layer: str | None = None,
        target_id: str | None = None,
        quartiere: int | None = None,
        kind: str | None = None,
        kinds: tuple[str, ...] | None = None,
        state: str | None = None,
        office: str | None = None,
        has_photo: bool | None = None,
        search: str | None = None,
        located: bool = False,
        bbox: tuple[float, float, float, float] | None = None,
    ) -> tuple[list[str] | None, list]:
        """The WHERE terms and their parameters of the contributions' filters (None: an
        empty `kinds` selects nothing)."""
        where, params = [], []
        for column, value in (
            ("status", status),
            ("target_layer", target_layer),
            ("target_id", None if target_id is None else str(target_id)),
            ("quartiere", quartiere),
            ("kind", kind),
            ("state", state),
            ("office", office),
        ):
            if value is not None:
                where.append(f"{column} = ?")
                params.append(value)
        if kinds is not None:
            if not kinds:
                return None, []
            where.append(f"kind IN ({', '.join('?' for _ in kinds)})")
            params.extend(kinds)
        if has_photo is not None:
            exists = "EXISTS (SELECT 1 FROM {photos} WHERE contribution_id = {contributions}.id)"
            where.append(exists if has_photo else f"NOT {exists}")
        if search:
            # Any case, the words as written: `%` and `_` in them are plain characters.
            where.append(self.CONTAINS_TEXT.format(column="text"))
            params.append(f"%{literal_pattern(search)}%")
        if located or bbox is not None:
            where.append("lon IS NOT NULL AND lat IS NOT NULL")
        if bbox is not None:
            where.append("lon >= ? AND lat >= ? AND lon <= ? AND lat <= ?")
            params.extend(float(v) for v in bbox)
        return where, params

    def contribution_counts(self, quartiere: int) -> dict[tuple[str, str], int]:
        """{(kind, state): count} of the approved contributions in a quartiere."""
        with self._catalog_reads() as conn:
            rows = conn.execute(
                self._csql(
                    "SELECT kind, state, count(*) FROM {contributions} "
                    "WHERE status = 'approvato' AND quartiere = ? GROUP BY kind, state"
                ),
                (int(quartiere),),
            ).fetchall()
        return {(k, s): int(n) for k, s, n in rows}

    # -- writes ----------------------------------------------------------------------

    def contribution_add(
        self,
        new: NewContribution,
        limits: RateLimits,
        photo: Photo | None = None,
        compose: Compose | None = None,
    ) -> Contribution:
        with self._changing(LOCK) as conn:
            at = self._contribution_insert(conn, new, limits, dt.datetime.now(dt.UTC))
            if photo is not None:
                self._photo_insert(conn, new.id, photo, at)
            self._mail_enqueue(conn, new.id, compose, at)
        return self.contribution(new.id)

    def _contribution_insert(self, conn, new: NewContribution, limits: RateLimits, now) -> str:
        """The rate limits' count and the insert, in the caller's transaction (which holds
        the writer lock LOCK): also used by the consultations' comments. Its time."""
        since = stamp(now - dt.timedelta(seconds=limits.window_seconds))
        self._check_rate(
            conn,
            "SELECT count(*), min(created_at) FROM {private} "
            "WHERE rate_key = ? AND created_at >= ?",
            (new.rate_key, since),
            limits.per_address,
            limits,
            now,
            "CONTRIBUTION_RATE",
            "Troppi contributi da questo indirizzo",
            "Too many contributions from this address",
        )
        target = (new.target_layer, new.target_id, new.quartiere)
        self._check_rate(
            conn,
            "SELECT count(*), min(created_at) FROM {contributions} WHERE "
            "coalesce(target_layer, '') = ? AND coalesce(target_id, '') = ? AND "
            "coalesce(quartiere, -1) = ? AND created_at >= ?",
            (target[0] or "", target[1] or "", -1 if target[2] is None else target[2], since),
            limits.per_target,
            limits,
            now,
            "CONTRIBUTION_TARGET_RATE",
            "Troppi contributi su questa pagina",
            "Too many contributions on this page",
        )
        at = stamp(now)
        conn.execute(
            self._csql(
                "INSERT INTO {contributions} (id, created_at, kind, target_layer, "
                "target_id, quartiere, text, name, lon, lat, status, state, flags, "
                "updated_at, follow_digest) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
                "'in_moderazione', ?, 0, ?, ?)"
            ),
            (new.id, at, new.kind, new.target_layer, new.target_id, new.quartiere)
            + (new.text, new.name, new.lon, new.lat, new.state, at, new.follow_digest),
        )
        conn.execute(
            self._csql(
                "INSERT INTO {private} (contribution_id, email, rate_key, created_at, "
                "language) VALUES (?, ?, ?, ?, ?)"
            ),
            (new.id, new.email, new.rate_key, at, new.language),
        )
        self._audit(conn, "cittadino", "contribution-submit", None, None, _detail(new.id))
        return at

    def _check_rate(self, conn, template, params, most, limits, now, setting, it, en):
        count, oldest = conn.execute(self._csql(template), params).fetchone()
        if int(count) < most:
            return
        first = dt.datetime.fromisoformat(oldest)
        wait = int((first - now).total_seconds()) + limits.window_seconds + 1
        minutes = max(1, round(limits.window_seconds / 60))
        raise TooManyContributions(
            f"{it}: al massimo {most} ogni {minutes} minuti; riprova tra {wait} secondi. "
            f"/ {en}: at most {most} every {minutes} minutes; try again in {wait} seconds.",
            wait,
            setting,
        )

    def contribution_moderate(
        self,
        contribution_id: str,
        user: str,
        action: str,
        changes: dict,
        compose: Compose | None = None,
        expect_status: str | None = None,
    ) -> Contribution:
        unknown = set(changes) - MODERATED
        if unknown:
            raise ValueError(f"not a moderated column: {sorted(unknown)}")
        with self._changing(LOCK) as conn:
            found = conn.execute(
                self._csql("SELECT status FROM {contributions} WHERE id = ?"),
                (str(contribution_id),),
            ).fetchone()
            if found is None:
                raise ContributionNotFound(f"no contribution '{str(contribution_id)[:40]}'")
            if expect_status is not None and found[0] != expect_status:
                raise ContributionChanged(
                    f"contribution '{str(contribution_id)[:40]}' is {found[0]}, "
                    f"not {expect_status}",
                    found[0],
                )
            columns = sorted(changes)
            sets = ", ".join(f"{c} = ?" for c in columns)
            at = stamp()
            conn.execute(
                self._csql(f"UPDATE {{contributions}} SET {sets}, updated_at = ? WHERE id = ?"),
                [changes[c] for c in columns] + [at, str(contribution_id)],
            )
            self._mail_enqueue(conn, contribution_id, compose, at)
            detail = {k: v for k, v in changes.items() if k != "answer"}
            self._audit(
                conn, user, f"contribution-{action}", None, None, _detail(contribution_id, detail)
            )
        return self.contribution(contribution_id)

    def contribution_photo_remove(self, contribution_id: str, user: str) -> bool:
        """Delete a contribution's photo (the contribution stays), audited; whether there
        was one."""
        with self._changing(LOCK) as conn:
            found = conn.execute(
                self._csql("SELECT 1 FROM {contributions} WHERE id = ?"),
                (str(contribution_id),),
            ).fetchone()
            if found is None:
                raise ContributionNotFound(f"no contribution '{str(contribution_id)[:40]}'")
            removed = self._photos_delete(conn, "contribution_id = ?", (str(contribution_id),))
            if removed:
                conn.execute(
                    self._csql("UPDATE {contributions} SET updated_at = ? WHERE id = ?"),
                    (stamp(), str(contribution_id)),
                )
                detail = _detail(contribution_id, {"photos": removed})
                self._audit(conn, user, "contribution-photo-remove", None, None, detail)
        return bool(removed)

    def contribution_flag(
        self, contribution_id: str, reason: str, rate_key: str, hide_after: int
    ) -> Contribution:
        with self._changing(LOCK) as conn:
            found = conn.execute(
                self._csql("SELECT status FROM {contributions} WHERE id = ?"),
                (str(contribution_id),),
            ).fetchone()
            if found is None or found[0] != "approvato":
                raise ContributionNotFound(f"no public contribution '{str(contribution_id)[:40]}'")
            again = conn.execute(
                self._csql("SELECT 1 FROM {flags} WHERE contribution_id = ? AND rate_key = ?"),
                (str(contribution_id), rate_key),
            ).fetchone()
            if again is None:  # one flag per address counts
                conn.execute(
                    self._csql(
                        "INSERT INTO {flags} (contribution_id, reason, rate_key, at) "
                        "VALUES (?, ?, ?, ?)"
                    ),
                    (str(contribution_id), reason, rate_key, stamp()),
                )
                conn.execute(
                    self._csql(
                        "UPDATE {contributions} SET flags = flags + 1, updated_at = ? WHERE id = ?"
                    ),
                    (stamp(), str(contribution_id)),
                )
                flags = conn.execute(
                    self._csql("SELECT flags FROM {contributions} WHERE id = ?"),
                    (str(contribution_id),),
                ).fetchone()[0]
                detail = _detail(contribution_id, {"reason": reason, "flags": int(flags)})
                self._audit(conn, "cittadino", "contribution-flag", None, None, detail)
                if hide_after and int(flags) >= hide_after:
                    conn.execute(
                        self._csql(
                            "UPDATE {contributions} SET status = 'in_revisione' WHERE id = ?"
                        ),
                        (str(contribution_id),),
                    )
                    self._audit(
                        conn, "sistema", "contribution-review", None, None,
                        _detail(contribution_id, {"flags": int(flags)}),
                    )  # fmt: skip
        return self.contribution(contribution_id)

    def contributions_forget(self, email: str, user: str) -> int:
        """Delete an e-mail address everywhere: its personal rows, the photos of its
        contributions (a photo may show the citizen, their house, their car), and where the
        citizen wrote it into the text or the name of those contributions, the address
        redacted."""
        email = email.strip()
        with self._changing(LOCK) as conn:
            ids = [
                r[0]
                for r in conn.execute(
                    self._csql(
                        "SELECT contribution_id FROM {private} WHERE lower(email) = lower(?)"
                    ),
                    (email,),
                ).fetchall()
            ]
            for cid in ids:
                text, name = conn.execute(
                    self._csql("SELECT text, name FROM {contributions} WHERE id = ?"), (cid,)
                ).fetchone()
                conn.execute(
                    self._csql("UPDATE {contributions} SET text = ?, name = ? WHERE id = ?"),
                    (_redact(text, email), _redact(name, email), cid),
                )
            photos = sum(self._photos_delete(conn, "contribution_id = ?", (c,)) for c in ids)
            self._mail_forget(conn, email)  # its unsent messages too
            if ids:
                conn.execute(
                    self._csql("DELETE FROM {private} WHERE lower(email) = lower(?)"), (email,)
                )
            # The address itself is not written in the log: only how many were forgotten.
            detail = audit_counts(len(ids), photos)
            self._audit(conn, user, "contributions-forget", None, None, detail)
        return len(ids)

    def contributions_purge(self, before: str, user: str) -> int:
        """Delete the personal data (e-mail, rate keys, flaggers' keys) older than `before`,
        and the photos of the contributions of then that are not public (rejected, hidden,
        duplicate, still in moderation): an approved one's photo stays with its public text,
        and so does one under review after flags (a moderator decides). How many rows of
        personal data and photos."""
        with self._changing(LOCK) as conn:
            count = conn.execute(
                self._csql("SELECT count(*) FROM {private} WHERE created_at < ?"), (before,)
            ).fetchone()[0]
            conn.execute(self._csql("DELETE FROM {private} WHERE created_at < ?"), (before,))
            conn.execute(self._csql("DELETE FROM {flags} WHERE at < ?"), (before,))
            self._mail_purge(conn, before)  # unsent messages: old, or to a deleted e-mail
            photos = self._photos_delete(
                conn,
                "contribution_id IN (SELECT id FROM {contributions} "
                "WHERE created_at < ? AND status NOT IN ('approvato', 'in_revisione'))",
                (before,),
            )
            if count or photos:
                detail = audit_counts(int(count), photos)
                self._audit(conn, user, "contributions-purge", None, None, detail)
        return int(count) + photos


def _detail(contribution_id: str, extra: dict | None = None) -> str:
    return json.dumps({"contribution": str(contribution_id), **(extra or {})}, ensure_ascii=False)


def _redact(text: str | None, email: str) -> str | None:
    if not text:
        return text
    low, needle = text.lower(), email.lower()
    out, start = [], 0
    while (i := low.find(needle, start)) >= 0:
        out.append(text[start:i] + REDACTED)
        start = i + len(needle)
    return "".join(out) + text[start:]
