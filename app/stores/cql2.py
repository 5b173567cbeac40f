"""CQL2 (OGC API Features Part 3) into a small filter tree the stores evaluate.

Parsing uses pygeofilter's CQL2-text grammar, extended here with `S_DWITHIN(geom, geom, m)`
(distance in metres), one-letter property names and `''` inside strings; CQL2-JSON is
walked here. Every property must be a declared field of the layer; every geometry literal
is turned into a shapely geometry in CRS84 (from `filter-crs`, honouring its axis order).

The tree is made of the named nodes of `filter_tree.py` (`And`, `Or`, `Not`, `Const`, `Cmp`,
`Like`, `In`, `Between`, `IsNull`, `Spatial`, `DWithin`).
"""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from collections import OrderedDict

import shapely
from lark.exceptions import LarkError
from pygeofilter import ast, values
from pyproj import Transformer

from app.errors import InvalidParameter
from app.registry.spec import LayerSpec
from app.stores.cql2_limits import ast_children, check_depth, json_children
from app.stores.cql2_text import text_parser
from app.stores.filter_tree import (
    And,
    Between,
    Cmp,
    Const,
    DWithin,
    In,
    IsNull,
    Like,
    Not,
    Or,
    Spatial,
)
from app.stores.like import like_pattern, literal_pattern

GEOMETRY_NAMES = ("geometry", "geom")
CRS84 = "http://www.opengis.net/def/crs/OGC/1.3/CRS84"
_SPATIAL = {
    ast.GeometryIntersects: "intersects",
    ast.GeometryWithin: "within",
    ast.GeometryContains: "contains",
    ast.GeometryDisjoint: "disjoint",
    ast.GeometryEquals: "equals",
    ast.GeometryTouches: "touches",
    ast.GeometryCrosses: "crosses",
    ast.GeometryOverlaps: "overlaps",
}
_CMP = {
    ast.Equal: "=",
    ast.NotEqual: "<>",
    ast.LessThan: "<",
    ast.LessEqual: "<=",
    ast.GreaterThan: ">",
    ast.GreaterEqual: ">=",
}
_FLIP = {"=": "=", "<>": "<>", "<": ">", "<=": ">=", ">": "<", ">=": "<="}
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_UNITS = {"meters": 1.0, "metres": 1.0, "m": 1.0, "kilometers": 1000.0, "km": 1000.0}


# -- CQL2-JSON ------------------------------------------------------------------------

_JSON_CMP = {
    "=": ast.Equal,
    "<>": ast.NotEqual,
    "<": ast.LessThan,
    "<=": ast.LessEqual,
    ">": ast.GreaterThan,
    ">=": ast.GreaterEqual,
}
_JSON_SPATIAL = {"s_" + v: k for k, v in _SPATIAL.items()}


def _walk_json(node):
    if isinstance(node, (str, int, float, bool)) or node is None:
        return node
    if isinstance(node, list):
        return [_walk_json(n) for n in node]
    if not isinstance(node, dict):
        raise ValueError(f"unexpected {node!r}")
    if "property" in node:
        return ast.Attribute(node["property"])
    if "bbox" in node:
        b = node["bbox"]
        return values.Envelope(b[0], b[2], b[1], b[3])
    if "date" in node:
        return dt.date.fromisoformat(node["date"])
    if "timestamp" in node:
        return dt.datetime.fromisoformat(node["timestamp"].replace("Z", "+00:00"))
    if "type" in node and "coordinates" in node:
        return values.Geometry(node)
    op, args = str(node.get("op", "")).lower(), node.get("args", [])
    a = [_walk_json(x) for x in args]
    if op in ("and", "or"):
        cls = ast.And if op == "and" else ast.Or
        out = a[0]
        for nxt in a[1:]:
            out = cls(out, nxt)
        return out
    if op == "not":
        return ast.Not(a[0])
    if op in _JSON_CMP:
        return _JSON_CMP[op](a[0], a[1])
    if op == "like":
        return ast.Like(a[0], a[1], False, "%", "_", "\\", False)
    if op == "in":
        return ast.In(a[0], a[1], False)
    if op == "between":
        return ast.Between(a[0], a[1], a[2], False)
    if op == "isnull":
        return ast.IsNull(a[0], False)
    if op in _JSON_SPATIAL:
        return _JSON_SPATIAL[op](a[0], a[1])
    if op == "s_dwithin":
        return ast.DistanceWithin(a[0], a[1], a[2], "meters")
    if op == "casei":
        return ast.Function("lower", a)
    raise ValueError(f"unsupported operator {op!r}")


# -- from pygeofilter's tree to ours ---------------------------------------------------


class _Builder:
    def __init__(self, spec: LayerSpec, filter_crs: str | None):
        self.spec = spec
        self.to_crs84 = None
        if filter_crs and filter_crs != CRS84:
            from app.geo.crs import parse_crs

            self.to_crs84 = Transformer.from_crs(parse_crs(filter_crs), "OGC:CRS84")

    def fail(self, message: str):
        raise InvalidParameter(f"filter: {message}", "filter")

    def field(self, node, nocase=False):
        if isinstance(node, ast.Function) and node.name.lower() in ("lower", "casei"):
            return self.field(node.arguments[0])[0], True
        if not isinstance(node, ast.Attribute):
            self.fail(f"expected a property, got {node!r}")
        spec_field = self.spec.field(node.name)
        if spec_field is None:
            names = ", ".join(self.spec.field_names)
            self.fail(f"unknown property {node.name!r}; queryables of '{self.spec.id}': {names}")
        return spec_field, nocase

    def value(self, raw, kind: str):
        if isinstance(raw, ast.Function) and raw.name.lower() in ("lower", "casei"):
            raw = raw.arguments[0]
        if isinstance(raw, (dt.datetime, dt.date)):
            return raw.isoformat()[:10] if kind == "date" else raw.isoformat()
        try:
            if kind in ("integer", "number") and not isinstance(raw, bool):
                if not math.isfinite(float(raw)):
                    self.fail(f"{raw!r} is not a finite number")
            if kind == "integer" and not isinstance(raw, bool):
                value = int(raw) if float(raw) == int(float(raw)) else float(raw)
                if abs(value) > 2**63 - 1:
                    self.fail(f"{raw!r} is out of the 64-bit integer range")
                return value
            if kind == "number" and not isinstance(raw, bool):
                return float(raw)
            if kind == "boolean":
                if isinstance(raw, bool):
                    return raw
                return {"true": True, "false": False}[str(raw).lower()]
        except (ValueError, KeyError, TypeError):
            self.fail(f"{raw!r} is not a {kind}")
        if isinstance(raw, (ast.Node, values.Geometry, values.Envelope)):
            self.fail(f"expected a literal value, got {raw!r}")
        if kind == "date":
            return self.date(raw)
        return self.text(raw) if kind == "string" else raw

    def text(self, raw) -> str:
        """A string literal; PostgreSQL text cannot hold NUL, so it is refused on both stores."""
        text = str(raw)
        if "\x00" in text:
            self.fail("a string holds a NUL character")
        return text

    def date(self, raw) -> str:
        """A date literal as YYYY-MM-DD; an impossible date is the client's error, not a
        comparison PostgreSQL fails on (and SQLite would quietly make on text)."""
        text = self.text(raw)
        try:
            if not _DATE.fullmatch(text):
                raise ValueError
            dt.date.fromisoformat(text)
        except ValueError:
            self.fail(f"{text!r} is not a date (YYYY-MM-DD)")
        return text

    def geometry(self, node):
        if isinstance(node, values.Geometry):
            geom = shapely.geometry.shape(node.geometry)
        elif isinstance(node, values.Envelope):
            geom = shapely.box(node.x1, node.y1, node.x2, node.y2)
        elif isinstance(node, ast.Function) and node.name.lower() == "bbox":
            geom = shapely.box(*node.arguments[:4])
        else:
            self.fail(f"expected a geometry literal, got {node!r}")
        if self.to_crs84 is not None:
            geom = shapely.transform(geom, lambda xy: _pairs(self.to_crs84, xy))
        if not geom.is_valid:
            self.fail("the filter's geometry is not valid")
        return geom

    def spatial_args(self, node):
        lhs, rhs = node.lhs, node.rhs
        if isinstance(rhs, ast.Attribute) and not isinstance(lhs, ast.Attribute):
            lhs, rhs = rhs, lhs
        if not (isinstance(lhs, ast.Attribute) and lhs.name in GEOMETRY_NAMES):
            self.fail(f"spatial predicates compare the 'geometry' property, got {lhs!r}")
        return self.geometry(rhs)

    def build(self, node):  # noqa: C901 (one branch per CQL2 construct)
        if isinstance(node, bool):
            return Const(node)
        if isinstance(node, ast.Include):
            return Const(not node.not_)
        if isinstance(node, ast.BBox):
            lhs = node.lhs
            if not (isinstance(lhs, ast.Attribute) and lhs.name in GEOMETRY_NAMES):
                self.fail(f"BBOX compares the 'geometry' property, got {lhs!r}")
            box = values.Envelope(node.minx, node.maxx, node.miny, node.maxy)
            return Spatial("intersects", self.geometry(box))
        if isinstance(node, ast.And):
            return And(self.build(node.lhs), self.build(node.rhs))
        if isinstance(node, ast.Or):
            return Or(self.build(node.lhs), self.build(node.rhs))
        if isinstance(node, ast.Not):
            inner = self.build(node.sub_node)
            # NOT NOT x is x, also for NULL (unknown): no nesting the SQL parsers must hold.
            return inner.operand if inner.kind == "not" else Not(inner)
        if type(node) in _CMP:
            op, lhs, rhs = _CMP[type(node)], node.lhs, node.rhs
            if not isinstance(lhs, (ast.Attribute, ast.Function)):
                lhs, rhs, op = rhs, lhs, _FLIP[op]
            f, nocase = self.field(lhs)
            if nocase:
                return (
                    Like(f.name, literal_pattern(str(self.value(rhs, "string"))), True)
                    if op == "="
                    else self.fail("CASEI() works with = and LIKE")
                )
            return Cmp(op, f.name, self.value(rhs, f.type))
        if isinstance(node, ast.Like):
            f, nocase = self.field(node.lhs)
            pattern = node.pattern
            if isinstance(pattern, ast.Function):
                pattern, nocase = pattern.arguments[0], True
            out = Like(f.name, like_pattern(self.text(pattern)), nocase or node.nocase)
            return Not(out) if node.not_ else out
        if isinstance(node, ast.In):
            f, _ = self.field(node.lhs)
            out = In(f.name, tuple(self.value(v, f.type) for v in node.sub_nodes))
            return Not(out) if node.not_ else out
        if isinstance(node, ast.Between):
            f, _ = self.field(node.lhs)
            out = Between(f.name, self.value(node.low, f.type), self.value(node.high, f.type))
            return Not(out) if node.not_ else out
        if isinstance(node, ast.IsNull):
            f, _ = self.field(node.lhs)
            return Not(IsNull(f.name)) if node.not_ else IsNull(f.name)
        if type(node) in _SPATIAL:
            return Spatial(_SPATIAL[type(node)], self.spatial_args(node))
        if isinstance(node, ast.DistanceWithin):
            factor = _UNITS.get(str(node.units).lower())
            if factor is None or float(node.distance) < 0:
                self.fail("S_DWITHIN needs a distance of 0 or more in metres or km")
            return DWithin(self.spatial_args(node), float(node.distance) * factor)
        self.fail(f"unsupported expression {type(node).__name__}")


def _pairs(transformer, xy):
    import numpy as np

    x, y = transformer.transform(xy[:, 0], xy[:, 1])
    return np.column_stack([x, y])


_PARSED: OrderedDict = OrderedDict()
_PARSED_MAX = 512
_PARSED_LOCK = threading.Lock()


def parse_filter(
    text: str, lang: str | None, spec: LayerSpec, filter_crs: str | None = None
) -> tuple:
    """The filter tree of a `filter` parameter; InvalidParameter naming what is wrong.

    Trees are remembered (least recently used out): a map or a client repeats the same
    filter page after page, and the tree depends only on the text and the layer's fields.
    """
    key = (text, lang, filter_crs, spec.id, tuple((f.name, f.type) for f in spec.fields))
    with _PARSED_LOCK:
        tree = _PARSED.get(key)
        if tree is not None:
            _PARSED.move_to_end(key)
            return tree
    tree = _parse_filter(text, lang, spec, filter_crs)
    with _PARSED_LOCK:
        _PARSED[key] = tree
        while len(_PARSED) > _PARSED_MAX:
            _PARSED.popitem(last=False)
    return tree


def _parse_filter(text: str, lang: str | None, spec: LayerSpec, filter_crs: str | None) -> tuple:
    lang = lang or "cql2-text"
    if len(text) > 20000:
        raise InvalidParameter("filter is too long (20,000 characters at most)", "filter")
    if "\x00" in text:
        raise InvalidParameter("filter holds a NUL character", "filter")
    try:
        if lang == "cql2-text":
            tree = text_parser().parse(text)
            check_depth(tree, ast_children)
        elif lang == "cql2-json":
            raw = json.loads(text)
            check_depth(raw, json_children)
            tree = _walk_json(raw)
        else:
            raise InvalidParameter(
                f"filter-lang {lang!r} is not supported; use cql2-text or cql2-json", "filter-lang"
            )
    except InvalidParameter:
        raise
    except (LarkError, ValueError, KeyError, IndexError, TypeError, RecursionError) as exc:
        first = str(exc).strip().splitlines()[0][:200] if str(exc).strip() else type(exc).__name__
        raise InvalidParameter(f"filter cannot be parsed as {lang}: {first}", "filter") from None
    try:
        return _Builder(spec, filter_crs).build(tree)
    except InvalidParameter:
        raise
    except (AttributeError, TypeError, ValueError, IndexError, shapely.errors.GEOSException):
        raise InvalidParameter(f"filter: cannot be used: {text[:200]!r}", "filter") from None


def conjunction(*nodes) -> tuple | None:
    """AND of the given trees (None ones skipped)."""
    present = [n for n in nodes if n is not None]
    if not present:
        return None
    out = present[0]
    for n in present[1:]:
        out = And(out, n)
    return out


def chain(node) -> list:
    """The operands of a chain of one operator (`a AND b AND c`, nested two by two in the
    tree), left to right and without recursion: the stores write them inside one pair of
    parentheses, as deep chains overflow SQLite's parser (and psycopg's composition)."""
    out, stack = [], [node]
    while stack:
        n = stack.pop()
        if n.kind == node.kind:
            stack.extend((n.rhs, n.lhs))
        else:
            out.append(n)
    return out


def is_spatial(node) -> bool:
    """Whether the tree tests geometries anywhere (iteratively: trees may be deep)."""
    stack = [node]
    while stack:
        n = stack.pop()
        if n.kind in ("spatial", "dwithin"):
            return True
        if n.kind in ("and", "or"):
            stack.extend((n.lhs, n.rhs))
        elif n.kind == "not":
            stack.append(n.operand)
    return False


def fields_of(node) -> set[str]:
    """The fields the tree tests."""
    out, stack = set(), [node]
    while stack:
        n = stack.pop()
        if n.kind in ("and", "or"):
            stack.extend((n.lhs, n.rhs))
        elif n.kind == "not":
            stack.append(n.operand)
        elif n.kind in ("cmp", "like", "in", "between", "isnull"):
            out.add(n.field)
    return out
