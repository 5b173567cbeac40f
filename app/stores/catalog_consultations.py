"""Consultations in the store, written once for every back end (see `consultations.py`
for the tables). `VersionCatalog` mixes this in beside the contributions; each back end
names the tables in CONSULTATION_TABLES and creates them when the store is opened.

A comment is stored by `consultation_comment_add` in one transaction under the
contributions' writer lock: the consultation's window is checked, the rate limits counted,
the contribution and its link to the consultation inserted together, so a comment sent
after the end (or after an early close) is refused and never half stored.
"""

from __future__ import annotations

import datetime as dt
import functools
import json

from app.errors import ConsultationClosed, ConsultationNotFound, InvalidParameter
from app.stores.catalog_contributions import LOCK, ContributionsMixin, stamp
from app.stores.consultations import (
    CONSULTATION_COLUMNS,
    EDITABLE,
    TARGET_LAYER,
    Consultation,
    consultation_of,
)
from app.stores.contributions import Contribution, NewContribution, RateLimits


@functools.lru_cache(maxsize=128)
def _compile(template: str, placeholder: str, tables: tuple[str, str]) -> str:
    consultations, comments = tables
    return template.format(consultations=consultations, comments=comments).replace("?", placeholder)


class ConsultationsMixin(ContributionsMixin):
    """The consultations' reads and writes (see the module docstring)."""

    #: The names of the tables in SQL: consultations, their comments' links.
    CONSULTATION_TABLES: tuple[str, str]

    def _ksql(self, template: str) -> str:
        return _compile(template, self.PLACEHOLDER, self.CONSULTATION_TABLES)

    # -- reads -----------------------------------------------------------------------

    def consultation(self, consultation_id: str) -> Consultation:
        with self._catalog_reads() as conn:
            row = conn.execute(
                self._ksql(f"SELECT {CONSULTATION_COLUMNS} FROM {{consultations}} WHERE id = ?"),
                (str(consultation_id),),
            ).fetchone()
        if row is None:
            raise ConsultationNotFound(f"no consultation '{str(consultation_id)[:40]}'")
        return consultation_of(row)

    def consultations(self) -> list[Consultation]:
        """Every consultation, the newest ending first."""
        with self._catalog_reads() as conn:
            rows = conn.execute(
                self._ksql(
                    f"SELECT {CONSULTATION_COLUMNS} FROM {{consultations}} "
                    "ORDER BY ends_at DESC, id"
                )
            ).fetchall()
        return [consultation_of(r) for r in rows]

    def consultation_comment_features(self, consultation_id: str) -> dict[str, str | None]:
        """{contribution id: the draft's feature it names (or None)} of a consultation."""
        with self._catalog_reads() as conn:
            rows = conn.execute(
                self._ksql(
                    "SELECT contribution_id, feature_id FROM {comments} WHERE consultation_id = ?"
                ),
                (str(consultation_id),),
            ).fetchall()
        return {r[0]: r[1] for r in rows}

    def _consulted_versions(self, conn, layer_id: str) -> set[int]:
        """The versions of `layer_id` a consultation shows (never pruned; see catalog.py)."""
        rows = conn.execute(
            self._ksql("SELECT version FROM {consultations} WHERE layer_id = ?"), (layer_id,)
        ).fetchall()
        return {int(r[0]) for r in rows if r[0] is not None}

    # -- writes ----------------------------------------------------------------------

    def consultation_add(self, c: Consultation) -> Consultation:
        with self._changing(LOCK) as conn:
            found = conn.execute(
                self._ksql("SELECT 1 FROM {consultations} WHERE id = ?"), (c.id,)
            ).fetchone()
            if found is not None:
                raise InvalidParameter(
                    f"la consultazione {c.id} esiste già / consultation {c.id} exists", "id"
                )
            conn.execute(
                self._ksql(
                    f"INSERT INTO {{consultations}} ({CONSULTATION_COLUMNS}) VALUES "
                    "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
                ),
                (c.id, c.title_it, c.title_en, c.description_it, c.description_en)
                + (c.layer_id, c.version, c.map_id, c.opens_at, c.ends_at, c.closed_at)
                + (c.created_at, c.created_by, c.updated_at),
            )
            detail = {"consultation": c.id, "layer": c.layer_id, "version": c.version}
            self._audit(
                conn, c.created_by, "consultation-create", c.layer_id, c.version,
                json.dumps(detail | {"map": c.map_id, "ends": c.ends_at}),
            )  # fmt: skip
        return self.consultation(c.id)

    def consultation_update(self, consultation_id: str, user: str, changes: dict) -> Consultation:
        unknown = set(changes) - EDITABLE - {"closed_at"}
        if unknown:
            raise ValueError(f"not an editable column: {sorted(unknown)}")
        with self._changing(LOCK) as conn:
            self._consultation_in(conn, consultation_id)
            columns = sorted(changes)
            sets = ", ".join(f"{c} = ?" for c in columns)
            conn.execute(
                self._ksql(f"UPDATE {{consultations}} SET {sets}, updated_at = ? WHERE id = ?"),
                [changes[c] for c in columns] + [stamp(), str(consultation_id)],
            )
            action = "consultation-close" if "closed_at" in changes else "consultation-edit"
            detail = {"consultation": str(consultation_id), "changed": columns}
            self._audit(conn, user, action, None, None, json.dumps(detail))
        return self.consultation(consultation_id)

    def consultation_comment_add(
        self,
        consultation_id: str,
        feature_id: str | None,
        new: NewContribution,
        limits: RateLimits,
        compose=None,
    ) -> Contribution:
        now = dt.datetime.now(dt.UTC)
        with self._changing(LOCK) as conn:
            c = self._consultation_in(conn, consultation_id)
            if not c.is_open(stamp(now)):
                raise ConsultationClosed(
                    "La consultazione non è aperta: i commenti non sono più accettati. "
                    "/ The consultation is not open: comments are not accepted."
                )
            if new.target_layer != TARGET_LAYER or new.target_id != c.id:
                raise ValueError("a consultation's comment targets the consultation")
            at = self._contribution_insert(conn, new, limits, now)
            self._mail_enqueue(conn, new.id, compose, at)
            conn.execute(
                self._ksql(
                    "INSERT INTO {comments} (contribution_id, consultation_id, feature_id) "
                    "VALUES (?, ?, ?)"
                ),
                (new.id, c.id, feature_id),
            )
        return self.contribution(new.id)

    def _consultation_in(self, conn, consultation_id: str) -> Consultation:
        row = conn.execute(
            self._ksql(f"SELECT {CONSULTATION_COLUMNS} FROM {{consultations}} WHERE id = ?"),
            (str(consultation_id),),
        ).fetchone()
        if row is None:
            raise ConsultationNotFound(f"no consultation '{str(consultation_id)[:40]}'")
        return consultation_of(row)
