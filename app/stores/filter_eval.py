"""Evaluate a CQL2 filter tree (see `cql2.py`): as SQLite SQL, and exactly in Python.

SQLite here has no spatial functions, so a filter with spatial predicates runs in two
steps: SQL selects candidates (attribute predicates exact; each spatial predicate replaced
by an R-tree envelope test where that gives a superset, by TRUE/FALSE otherwise), then
the whole filter is evaluated exactly on the candidates only, with shapely's vectorised
predicates and three-valued logic (NULL compares as unknown, as in SQL).
"""

from __future__ import annotations

import math
from functools import lru_cache

import numpy as np
import pandas as pd
import shapely
from pyproj import Transformer

from app.stores.cql2 import chain
from app.stores.like import compile_like

METRIC_CRS = "EPSG:7791"  # distances for S_DWITHIN are computed in RDN2008 / UTM 32N


def _q(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _envelope(node) -> tuple[float, float, float, float] | None:
    """A lon/lat box containing every geometry that can satisfy the spatial node."""
    if node.kind == "spatial" and node.op == "disjoint":
        return None
    minx, miny, maxx, maxy = node.geometry.bounds
    if node.kind == "dwithin":
        metres = node.distance * 1.05 + 1.0
        dlat = metres / 110_574.0
        lat = max(abs(miny), abs(maxy))
        dlon = metres / (111_320.0 * max(math.cos(math.radians(min(lat + dlat, 89.9))), 1e-6))
        minx, miny, maxx, maxy = minx - dlon, miny - dlat, maxx + dlon, maxy + dlat
    return minx, miny, maxx, maxy


def to_sql(node, rtree: str, positive: bool = True) -> tuple[str, list]:
    """SQL for table alias `t` (rows of `rtree` by fid); exact without spatial predicates."""
    kind = node.kind
    if kind == "const":
        return ("1" if node.value else "0"), []
    if kind in ("and", "or"):
        parts, params = [], []
        for operand in chain(node):
            text, more = to_sql(operand, rtree, positive)
            parts.append(text)
            params += more
        return "(" + f" {kind.upper()} ".join(parts) + ")", params
    if kind == "not":
        a, pa = to_sql(node.operand, rtree, not positive)
        return f"(NOT {a})", pa
    if kind == "cmp":
        return f"t.{_q(node.field)} {node.op} ?", [node.value]
    if kind == "like":  # linear time, see like.py (SQLite's LIKE folds ASCII case only)
        return f"cql2_like(?, ?, t.{_q(node.field)})", [node.pattern, int(node.nocase)]
    if kind == "in":
        marks = ", ".join("?" * len(node.values)) or "NULL"
        return f"t.{_q(node.field)} IN ({marks})", list(node.values)
    if kind == "between":
        return f"t.{_q(node.field)} BETWEEN ? AND ?", [node.low, node.high]
    if kind == "isnull":
        return f"t.{_q(node.field)} IS NULL", []
    # spatial: a superset where the node counts positively, a subset (FALSE) under NOT
    if not positive:
        return "0", []
    box = _envelope(node)
    if box is None:
        return "1", []
    return (
        f"t.fid IN (SELECT id FROM {_q(rtree)} WHERE maxx >= ? AND minx <= ? "
        "AND maxy >= ? AND miny <= ?)",
        [box[0], box[2], box[1], box[3]],
    )


# -- exact evaluation on candidates ------------------------------------------------------

_OPS = {
    "=": np.equal,
    "<>": np.not_equal,
    "<": np.less,
    "<=": np.less_equal,
    ">": np.greater,
    ">=": np.greater_equal,
}


def _values(columns: dict[str, list], name: str) -> pd.Series:
    return pd.Series(columns[name], dtype=object)


def _known(mask: np.ndarray, nulls: np.ndarray) -> pd.arrays.BooleanArray:
    out = pd.array(mask.astype(bool), dtype="boolean")
    out[nulls] = pd.NA
    return out


@lru_cache(maxsize=4)
def _to_metric() -> Transformer:
    return Transformer.from_crs("OGC:CRS84", METRIC_CRS, always_xy=True)


def _metric(geoms):
    t = _to_metric()

    def move(xy):
        x, y = t.transform(xy[:, 0], xy[:, 1])
        return np.column_stack([x, y])

    return shapely.transform(geoms, move)


def evaluate(node, columns: dict[str, list], geoms: np.ndarray) -> pd.arrays.BooleanArray:
    """The filter on candidate rows: attribute columns by name, geometries (None allowed)."""
    kind, n = node.kind, len(geoms)
    if kind == "const":
        return pd.array([node.value] * n, dtype="boolean")
    if kind == "and":
        return evaluate(node.lhs, columns, geoms) & evaluate(node.rhs, columns, geoms)
    if kind == "or":
        return evaluate(node.lhs, columns, geoms) | evaluate(node.rhs, columns, geoms)
    if kind == "not":
        return ~evaluate(node.operand, columns, geoms)
    if kind == "isnull":
        return pd.array(_values(columns, node.field).isna().to_numpy(), dtype="boolean")
    if kind in ("cmp", "like", "in", "between"):
        s = _values(columns, node.field)
        nulls = s.isna().to_numpy()
        vals = s.where(~s.isna(), None).to_numpy()
        if kind == "cmp":
            test = _OPS[node.op]
            result = np.array([False if v is None else bool(test(v, node.value)) for v in vals])
        elif kind == "like":
            matcher = compile_like(node.pattern, node.nocase)
            result = np.array([v is not None and matcher.matches(str(v)) for v in vals])
        elif kind == "in":
            result = np.array([v in node.values for v in vals])
        else:
            result = np.array([v is not None and node.low <= v <= node.high for v in vals])
        return _known(result, nulls)
    missing = shapely.is_missing(geoms) | shapely.is_empty(geoms)
    if kind == "dwithin":
        result = shapely.dwithin(_metric(geoms), _metric(node.geometry), node.distance)
    else:
        result = getattr(shapely, node.op)(geoms, node.geometry)
    return _known(np.asarray(result, dtype=bool), missing)
