"""Feature edits in the version catalog, written once for every store (see `edits.py`).

The pending edits of a layer are rows of the catalog's `edits` table; the draft is the
served version with them applied. `VersionCatalog` mixes this in: it supplies `_sql`,
`_one`, `_all`, `_changing`, `_audit`, `stage`, `_publish_in` and the reads. The checks of
one feature before it is recorded are in `edit_checks.py`; the records, their ETags and
the diff of pending edits (`changes`) in `edits.py`.
"""

from __future__ import annotations

import dataclasses
import json
import uuid

import geopandas as gpd
import pandas as pd
import shapely.geometry

from app.errors import (
    DataError,
    EditConflict,
    EditingDisabled,
    FeatureExists,
    FeatureNotFound,
    InvalidFeature,
    LayerNotFound,
    PreconditionFailed,
    PreconditionRequired,
)
from app.registry.spec import LayerSpec
from app.stores.base import Feature, FeatureStore, LayerInfo, Query
from app.stores.edit_checks import checked_placement, if_match_etags, validated
from app.stores.edits import EditRecord, EditResult, changes, etag_of, feature_of, now

_EDIT_COLUMNS = 'seq, layer_id, feature_id, op, base_version, status, version, before, after, placement, "user", at'


def edits_table_sql(edits: str, serial: str) -> str:
    """The DDL of the edits table (`serial`: the back end's auto-increment key type)."""
    return (
        f"CREATE TABLE IF NOT EXISTS {edits} (seq {serial}, layer_id TEXT NOT NULL, "
        "feature_id TEXT NOT NULL, op TEXT NOT NULL, base_version INTEGER NOT NULL, "
        "status TEXT NOT NULL, version INTEGER, before TEXT, after TEXT, placement TEXT, "
        '"user" TEXT NOT NULL, at TEXT NOT NULL)'
    )


def _loads(text):
    if text is None or isinstance(text, dict):
        return text
    return json.loads(text)


def _record(row: tuple) -> EditRecord:
    seq, layer_id, fid, op, base, status, version, before, after, placement, user, at = row
    return EditRecord(
        int(seq), layer_id, fid, op, base, status, version,
        _loads(before), _loads(after), _loads(placement), user, at,
    )  # fmt: skip


def _dumps(value) -> str | None:
    if value is None:
        return None
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=str)


class EditsMixin(FeatureStore):
    """Pending feature edits over the served version (see the module docstring)."""

    EDITS_SERIAL = "INTEGER PRIMARY KEY AUTOINCREMENT"

    # -- reads -----------------------------------------------------------------------

    def edits(self, layer_id, *, status="pending", feature_id=None, limit=None):
        where, params = ["layer_id = ?"], [layer_id]
        if status is not None:
            where.append("status = ?")
            params.append(status)
        if feature_id is not None:
            where.append("feature_id = ?")
            params.append(str(feature_id))
        tail = " LIMIT ?" if limit else ""
        params += [limit] if limit else []
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                f"SELECT {_EDIT_COLUMNS} FROM {{edits}} WHERE {' AND '.join(where)} "
                f"ORDER BY seq{tail}",
                params,
            )
        return [_record(r) for r in rows]

    def pending_counts(self) -> dict[str, int]:
        with self._catalog_reads() as conn:
            rows = self._all(
                conn,
                "SELECT layer_id, count(*) FROM {edits} WHERE status = 'pending' "
                "GROUP BY layer_id ORDER BY layer_id",
            )
        return {layer_id: int(n) for layer_id, n in rows}

    def _latest_pending(self, conn, layer_id: str, feature_id: str) -> EditRecord | None:
        row = self._one(
            conn,
            f"SELECT {_EDIT_COLUMNS} FROM {{edits}} WHERE layer_id = ? AND feature_id = ? "
            "AND status = 'pending' ORDER BY seq DESC LIMIT 1",
            (layer_id, str(feature_id)),
        )
        return None if row is None else _record(row)

    def _served_doc(self, spec: LayerSpec, feature_id: str, version: int) -> dict | None:
        try:
            return self.get(spec, str(feature_id), version).as_geojson()
        except FeatureNotFound:
            return None

    def _draft_doc(self, conn, spec: LayerSpec, feature_id: str, served: int) -> dict | None:
        pending = self._latest_pending(conn, spec.id, feature_id)
        if pending is not None:
            return pending.after
        return self._served_doc(spec, feature_id, served)

    def draft_get(self, spec: LayerSpec, feature_id: str) -> tuple[Feature, str]:
        with self._catalog_reads() as conn:
            served = self._served_version(conn, spec.id)
            if served is None:
                raise LayerNotFound(f"'{spec.id}' is not published")
            doc = self._draft_doc(conn, spec, feature_id, served)
        if doc is None:
            raise FeatureNotFound(f"no feature '{feature_id}' in the draft of '{spec.id}'")
        return feature_of(doc), etag_of(doc)

    # -- writes ----------------------------------------------------------------------

    def _new_id(self, conn, spec: LayerSpec, served: int, made: list):
        """A new feature id: for integer ids one above the highest (served or pending; read
        once per batch, `made` holds the last one given), else a random code."""
        if spec.field(spec.id_field).type != "integer":
            return f"{spec.id[:3]}-{uuid.uuid4().hex[:10]}"
        if not made:
            top = self.frame(spec, Query(), served)[spec.id_field].max()
            pending = self._one(
                conn,
                "SELECT max(CAST(feature_id AS BIGINT)) FROM {edits} WHERE layer_id = ?",
                (spec.id,),
            )[0]
            made.append(max(int(0 if pd.isna(top) else top), int(pending or 0)))
        made[0] += 1
        return made[0]

    def edit(self, spec, change, *, user, if_match):
        return self.edit_many(spec, [(change, if_match)], user=user)[0]

    def edit_many(self, spec, changes_, *, user):
        if not spec.editing.enabled:
            raise EditingDisabled(f"layer '{spec.id}' is not editable (its layer file says so)")
        results = []
        with self._changing(spec.id) as conn:
            served = self._served_version(conn, spec.id)
            if served is None:
                raise LayerNotFound(f"'{spec.id}' is not published: publish it before editing")
            made: list[int] = []  # the last integer id given in this batch
            for change, if_match in changes_:
                record, after = self._apply(conn, spec, served, change, if_match, user, made)
                results.append(EditResult(feature_of(after), etag_of(after), record, served))
        if spec.editing.publish == "immediate" and results:
            published = self.publish_edits(spec, user).version
            results = [dataclasses.replace(r, published=published) for r in results]
        return results

    def _apply(self, conn, spec, served, change, if_match, user, made):
        """One change in `conn`'s transaction: checked, then recorded; (record, after)."""
        if change.op not in ("create", "replace", "update", "delete"):
            raise InvalidFeature(f"unknown edit '{change.op}'", "op")
        properties = dict(change.properties or {})
        placement = checked_placement(spec, change, properties)
        fid = change.feature_id
        if change.op == "create":
            given = properties.get(spec.id_field)
            fid = given if given not in (None, "") else fid
            if fid in (None, ""):
                fid = self._new_id(conn, spec, served, made)
            properties[spec.id_field] = fid
        if fid is None:
            raise InvalidFeature("the feature's id is missing", spec.id_field)
        before = self._draft_doc(conn, spec, str(fid), served)
        if change.op == "create":
            if before is not None:
                raise FeatureExists(
                    f"a feature '{fid}' exists in '{spec.id}': replace or update it"
                )
            after = validated(spec, fid, change.geometry, properties)
        else:
            if before is None:
                raise FeatureNotFound(f"no feature '{fid}' in the draft of '{spec.id}'")
            current = etag_of(before)
            if if_match is None:
                raise PreconditionRequired(
                    f"send If-Match with the ETag of feature '{fid}' as you read it, so "
                    "that nobody's change is overwritten"
                )
            if if_match.strip() != "*" and current not in if_match_etags(if_match):
                raise PreconditionFailed(
                    f"feature '{fid}' was changed by someone else since you read it: "
                    "reload it, then apply your change again",
                    current,
                )
            if change.op == "delete":
                after = None
            elif change.op == "replace":
                properties.setdefault(spec.id_field, before["id"])
                after = validated(spec, fid, change.geometry, properties)
            else:  # update: a merge patch of the properties (null removes a value)
                merged = {**before["properties"], **properties}
                geometry = change.geometry if change.set_geometry else before["geometry"]
                after = validated(spec, fid, geometry, merged)
        fid = str(after["id"] if after else before["id"])
        conn.execute(
            self._sql(
                "INSERT INTO {edits} (layer_id, feature_id, op, base_version, status, "
                "before, after, placement, \"user\", at) VALUES (?, ?, ?, ?, 'pending', ?, "
                "?, ?, ?, ?)"
            ),
            (spec.id, fid, change.op, served, _dumps(before), _dumps(after))
            + (_dumps(placement), user, now()),
        )
        record = self._latest_pending(conn, spec.id, fid)
        detail = {"feature": fid, "edit": record.seq}
        detail |= {"before": etag_of(before), "after": etag_of(after)}
        self._audit(conn, user, f"feature-{change.op}", spec.id, served, _dumps(detail))
        return record, after

    def discard_edits(self, layer_id, user, feature_ids=None):
        with self._changing(layer_id) as conn:
            where, params = "layer_id = ? AND status = 'pending'", [layer_id]
            if feature_ids is not None:
                if not feature_ids:
                    return 0
                where += f" AND feature_id IN ({', '.join('?' * len(feature_ids))})"
                params += [str(f) for f in feature_ids]
            count = self._one(conn, f"SELECT count(*) FROM {{edits}} WHERE {where}", params)[0]
            if count:
                conn.execute(
                    self._sql(f"UPDATE {{edits}} SET status = 'discarded' WHERE {where}"), params
                )
                served = self._served_version(conn, layer_id)
                which = "all" if feature_ids is None else ", ".join(map(str, feature_ids[:20]))
                self._audit(conn, user, "edits-discard", layer_id, served, f"{count} ({which})")
        return int(count)

    def publish_edits(self, spec: LayerSpec, user: str) -> LayerInfo:
        pending = self.edits(spec.id)
        if not pending:
            raise DataError(f"'{spec.id}' has no pending edits to publish")
        last_seq = pending[-1].seq
        served = self.describe(spec.id).version
        self._check_base(spec, pending, served)
        per: dict[str, dict | None] = {}
        for r in pending:  # the newest edit of each feature wins
            per[r.feature_id] = r.after
        data = self.frame(spec, Query(), served)
        ids = data[spec.id_field].astype(str)
        keep = ~ids.isin(per.keys())
        replaced = [per[i] for i in ids[~keep] if per[i] is not None]
        existing = set(ids)
        added = [doc for fid, doc in per.items() if doc is not None and fid not in existing]
        docs = replaced + added
        rows = gpd.GeoDataFrame(
            pd.DataFrame([d["properties"] for d in docs], columns=list(spec.field_names)),
            geometry=gpd.GeoSeries(
                [shapely.geometry.shape(d["geometry"]) if d["geometry"] else None for d in docs],
                crs="OGC:CRS84",
            ),
        )
        merged = data[keep.to_numpy()]
        if len(rows):
            merged = pd.concat([merged.astype(object), rows.astype(object)], ignore_index=True)
            merged = gpd.GeoDataFrame(merged, geometry="geometry", crs="OGC:CRS84")
        kinds = [c.kind for c in changes(pending)]
        report = {
            "origin": "edit",
            "base": served,
            "edits": len(pending),
            "added": kinds.count("added"),
            "changed": kinds.count("changed"),
            "removed": kinds.count("removed"),
        }
        staged = self.stage(
            spec,
            merged.reset_index(drop=True),
            origin="edit",
            source=f"{len(pending)} modifiche su v{served}",
            user=user,
            report=report,
        )
        with self._changing(spec.id) as conn:
            if self._served_version(conn, spec.id) != served:
                raise EditConflict(
                    f"'{spec.id}' was republished while its edits were being published: "
                    f"publish again (version {staged.version} stays as a draft)",
                    [],
                )
            self._publish_in(conn, spec.id, staged.version, user)
            conn.execute(
                self._sql(
                    "UPDATE {edits} SET status = 'published', version = ? WHERE layer_id = ? "
                    "AND status = 'pending' AND seq <= ?"
                ),
                (staged.version, spec.id, last_seq),
            )
        self._pointer_moved()
        return self.describe(spec.id)

    def _check_base(self, spec: LayerSpec, pending: list[EditRecord], served: int) -> None:
        """Edits begun on an older served version apply only where the feature is as it
        was then (an import republished the layer meanwhile)."""
        firsts: dict[str, EditRecord] = {}
        for r in pending:
            firsts.setdefault(r.feature_id, r)
        stale = [r for r in firsts.values() if r.base_version != served]
        conflicts = [
            r.feature_id
            for r in stale
            if etag_of(self._served_doc(spec, r.feature_id, served)) != etag_of(r.before)
        ]
        if conflicts:
            raise EditConflict(
                f"'{spec.id}' was republished (version {served}) after these edits began, and "
                f"{len(conflicts)} edited features changed in it: discard their edits or "
                "redo them on the new version",
                sorted(conflicts),
            )
