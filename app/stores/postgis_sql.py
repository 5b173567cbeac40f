"""CQL2 filter trees (see `cql2.py`) as PostGIS SQL: everything runs in the database.

Spatial predicates use the GiST index (`&&` on the geometry) and PostGIS's exact tests;
S_DWITHIN measures in EPSG:7791 metres, as the GeoPackage store does, with an envelope
prefilter in degrees so the index still serves.
"""

from __future__ import annotations

from psycopg import sql

from app.stores.cql2 import chain
from app.stores.filter_eval import METRIC_CRS, _envelope

_FUNCS = {
    "intersects": "ST_Intersects",
    "within": "ST_Within",
    "contains": "ST_Contains",
    "disjoint": "ST_Disjoint",
    "equals": "ST_Equals",
    "touches": "ST_Touches",
    "crosses": "ST_Crosses",
    "overlaps": "ST_Overlaps",
}
_METRIC_SRID = int(METRIC_CRS.split(":")[1])


def to_sql(node) -> tuple[sql.Composable, list]:
    """A WHERE clause for table alias `t` and its parameters: every value the client gave
    is a bound parameter (`%s`), never text in the statement, so a value holding `%` or a
    quote is only ever a value, and the statement's text is the same for other values."""
    params: list = []
    return _to_sql(node, params), params


def _value(params: list, value) -> sql.Composable:
    params.append(value)
    return sql.Placeholder()


def _geom(params: list, geometry) -> sql.Composable:
    return sql.SQL("ST_GeomFromText({}, 4326)").format(_value(params, geometry.wkt))


def _to_sql(node, params: list) -> sql.Composable:
    kind = node.kind
    if kind == "const":
        return sql.SQL("TRUE" if node.value else "FALSE")
    if kind in ("and", "or"):
        op = sql.SQL(" AND " if kind == "and" else " OR ")
        return sql.SQL("({})").format(op.join([_to_sql(n, params) for n in chain(node)]))
    if kind == "not":
        return sql.SQL("(NOT {})").format(_to_sql(node.operand, params))
    if kind == "cmp":
        return sql.SQL("t.{} " + node.op + " {}").format(
            sql.Identifier(node.field), _value(params, node.value)
        )
    if kind == "like":  # the canonical pattern (like.py) is PostgreSQL's LIKE syntax
        op = "ILIKE" if node.nocase else "LIKE"
        return sql.SQL("t.{}::text " + op + " {} ESCAPE '\\'").format(
            sql.Identifier(node.field), _value(params, node.pattern)
        )
    if kind == "in":
        if not node.values:
            return sql.SQL("FALSE")
        return sql.SQL("t.{} IN ({})").format(
            sql.Identifier(node.field), sql.SQL(", ").join(_value(params, v) for v in node.values)
        )
    if kind == "between":
        return sql.SQL("t.{} BETWEEN {} AND {}").format(
            sql.Identifier(node.field), _value(params, node.low), _value(params, node.high)
        )
    if kind == "isnull":
        return sql.SQL("t.{} IS NULL").format(sql.Identifier(node.field))
    if kind == "dwithin":
        minx, miny, maxx, maxy = _envelope(node)
        envelope = [_value(params, float(v)) for v in (minx, miny, maxx, maxy)]
        return sql.SQL(
            "(t.geom && ST_MakeEnvelope({}, {}, {}, {}, 4326) AND "
            "ST_DWithin(ST_Transform(t.geom, {}), ST_Transform({}, {}), {}))"
        ).format(
            *envelope,
            sql.Literal(_METRIC_SRID),
            _geom(params, node.geometry),
            sql.Literal(_METRIC_SRID),
            _value(params, float(node.distance)),
        )
    op, geometry = node.op, node.geometry
    if op == "disjoint":
        return sql.SQL("{}(t.geom, {})").format(sql.SQL(_FUNCS[op]), _geom(params, geometry))
    envelope = _geom(params, geometry.envelope)
    test = sql.SQL("{}(t.geom, {})").format(sql.SQL(_FUNCS[op]), _geom(params, geometry))
    return sql.SQL("(t.geom && {} AND {})").format(envelope, test)


def field_indexes(spec, table: sql.Composable, data) -> list[sql.Composable]:
    """A b-tree on every declared field a filter may test (the id field has its own), for
    equality, IN and ranges. A b-tree refuses entries over ~2.7 KB, so a text field holding
    longer values (a description, not a filter key) is left to the scan; so are booleans.
    (Hash indexes take any length but build very slowly on few distinct values.)"""
    out = []
    for f in spec.fields:
        if f.name == spec.id_field or f.type == "boolean":
            continue
        if f.type == "string":
            longest = data[f.name].dropna().map(lambda v: len(str(v).encode())).max()
            if longest == longest and longest > 2000:  # NaN (all null) compares unequal
                continue
        out.append(sql.SQL("CREATE INDEX ON {} ({})").format(table, sql.Identifier(f.name)))
    return out
