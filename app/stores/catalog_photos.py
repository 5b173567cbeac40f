"""The photos of citizens' contributions in the store, written once for every back end (the
table `contribution_photos`: `contributions.py`). `ContributionsMixin` builds on this: a
photo is inserted in the transaction of its contribution, and deleted in the transactions
of `contribution_photo_remove`, `contributions_forget` and `contributions_purge` (their
helpers are here).

The photo kept is the server's re-encoding (app/contributions/photo.py), never the file the
citizen sent. Whether it may be shown (its contribution approved) is the caller's rule.
"""

from __future__ import annotations

import json

from app.stores.base import FeatureStore
from app.stores.contributions import Photo


class PhotosMixin(FeatureStore):
    """A contribution's photo: read, insert, delete (`_csql` and `_catalog_reads` come from
    the contributions' mixin and the catalog)."""

    def contribution_photo(self, contribution_id: str, small: bool = False) -> Photo | None:
        column = "coalesce(thumb, content)" if small else "content"
        with self._catalog_reads() as conn:
            row = conn.execute(
                self._csql(
                    f"SELECT {column}, width, height, media_type, created_at FROM {{photos}} "
                    "WHERE contribution_id = ?"
                ),
                (str(contribution_id),),
            ).fetchone()
        if row is None:
            return None
        return Photo(bytes(row[0]), int(row[1]), int(row[2]), row[3], row[4])

    def _photo_insert(self, conn, contribution_id: str, photo: Photo, at: str) -> None:
        """In the caller's transaction (that of the contribution)."""
        conn.execute(
            self._csql(
                "INSERT INTO {photos} (contribution_id, media_type, width, height, bytes, "
                "content, created_at, thumb) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
            ),
            (str(contribution_id), photo.media_type, int(photo.width), int(photo.height))
            + (photo.bytes, photo.content, at, photo.thumb),
        )

    def _photos_delete(self, conn, where: str, params: tuple) -> int:
        """Delete the photos whose row matches `where` (columns of {photos}, or of the
        contribution `c` through `contribution_id IN (SELECT c.id ...)`); how many."""
        count = conn.execute(
            self._csql(f"SELECT count(*) FROM {{photos}} WHERE {where}"), params
        ).fetchone()[0]
        if count:
            conn.execute(self._csql(f"DELETE FROM {{photos}} WHERE {where}"), params)
        return int(count)


def audit_counts(contributions: int, photos: int) -> str:
    """The detail of a forget or purge entry: how many, never whose."""
    return json.dumps({"contributions": int(contributions), "photos": int(photos)})
