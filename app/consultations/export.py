"""The results of a consultation for the council: counts and the approved comments, as
JSON and as spreadsheet-safe CSV, without personal data (no e-mail, no name, no address
fingerprint).

- counts by moderation status (every comment) and by follow-up state (approved ones);
- by area: each approved comment placed on the map, located by point-in-polygon in the
  draft's polygons (a point outside every polygon counts as `fuori`, one without a point
  as `senza_posizione`);
- by named feature: the approved comments naming a feature of the draft.
"""

from __future__ import annotations

import csv
import io
from collections import Counter

from shapely.geometry import Point, shape
from shapely.strtree import STRtree

from app.consultations import service
from app.csvsafe import safe_cell
from app.services import Services
from app.stores.consultations import TARGET_LAYER

OUTSIDE, UNPLACED = "fuori", "senza_posizione"
PAGE = 500
CSV_COLUMNS = ("id", "created", "feature", "area", "lon", "lat", "state", "text", "answer")


def _comments(svc: Services, cid: str) -> list:
    out, offset = [], 0
    while True:
        page = svc.store.contributions(
            status=None, target_layer=TARGET_LAYER, target_id=cid,
            limit=PAGE, offset=offset, newest_first=False,
        )  # fmt: skip
        out.extend(page.items)
        offset += PAGE
        if offset >= page.total:
            return out


class _Areas:
    """The draft's polygons, for point-in-polygon."""

    def __init__(self, svc: Services, c):
        self.ids, geoms = [], []
        self.labels: dict[str, str] = {}
        if c.layer_id is not None:
            spec = service.draft_spec(svc, c)
            for f in service.draft_features(svc, c):
                self.labels[str(f.id)] = service.feature_label(spec, f)
                g = f.geometry
                if g and g.get("type") in ("Polygon", "MultiPolygon"):
                    self.ids.append(str(f.id))
                    geoms.append(shape(g))
        self.geoms = geoms
        self.tree = STRtree(geoms) if geoms else None

    def of(self, lon, lat) -> str:
        if lon is None or lat is None:
            return UNPLACED
        if self.tree is None:
            return OUTSIDE
        point = Point(lon, lat)
        hits = sorted(int(i) for i in self.tree.query(point, predicate="intersects"))
        return self.ids[hits[0]] if hits else OUTSIDE


def results(svc: Services, cid: str) -> dict:
    """The consultation, its counts and its approved comments (no personal data)."""
    c = svc.store.consultation(cid)
    comments = _comments(svc, cid)
    features = svc.store.consultation_comment_features(cid)
    areas = _Areas(svc, c)
    approved = [x for x in comments if x.status == "approvato"]
    rows = []
    for x in approved:
        rows.append(
            {
                "id": x.id,
                "created": x.created_at[:19] + "Z",
                "feature": features.get(x.id),
                "area": areas.of(x.lon, x.lat),
                "lon": x.lon,
                "lat": x.lat,
                "state": x.state,
                "text": x.text,
                "answer": x.answer,
            }
        )
    by_area = Counter(r["area"] for r in rows)
    by_feature = Counter(r["feature"] for r in rows if r["feature"])
    return {
        "consultation": {
            "id": c.id,
            "title": {"it": c.title_it, "en": c.title_en},
            "layer": c.layer_id,
            "version": c.version,
            "map": c.map_id,
            "opens": c.opens_at[:19] + "Z",
            "ends": c.ends_at[:19] + "Z",
            "closed": None if c.closed_at is None else c.closed_at[:19] + "Z",
        },
        "counts": {
            "total": len(comments),
            "by_status": dict(sorted(Counter(x.status for x in comments).items())),
            "approved": len(approved),
            "by_state": dict(sorted(Counter(r["state"] for r in rows).items())),
            "by_area": [
                {"area": a, "label": areas.labels.get(a, a), "count": n}
                for a, n in sorted(by_area.items())
            ],
            "by_feature": [
                {"feature": f, "label": areas.labels.get(f, f), "count": n}
                for f, n in sorted(by_feature.items())
            ],
        },
        "comments": rows,
    }


def as_csv(data: dict) -> str:
    """The approved comments, one a row, then the counts by area and by feature: every text
    cell spreadsheet-safe."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for r in data["comments"]:
        writer.writerow([safe_cell(r[k]) if r[k] is not None else "" for k in CSV_COLUMNS])
    writer.writerow([])
    writer.writerow(["conteggio", "chiave", "etichetta", "numero"])
    counts = data["counts"]
    for status, n in counts["by_status"].items():
        writer.writerow(["stato_moderazione", status, "", n])
    for state, n in counts["by_state"].items():
        writer.writerow(["stato", state, "", n])
    for a in counts["by_area"]:
        writer.writerow(["area", safe_cell(a["area"]), safe_cell(a["label"]), a["count"]])
    for f in counts["by_feature"]:
        writer.writerow(["elemento", safe_cell(f["feature"]), safe_cell(f["label"]), f["count"]])
    return buffer.getvalue()
