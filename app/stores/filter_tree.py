"""The filter tree the stores evaluate: one named node type per construct.

`cql2.py` builds it from CQL2 text or JSON (checked against the layer's fields, values
typed, geometries in CRS84); the stores add their own bbox and `field=value` nodes; three
walkers read it (`filter_eval.to_sql` and `evaluate` for GeoPackage, `postgis_sql` for
PostGIS). Nodes are immutable and hashable (parsed trees are cached), and are tuples whose
first item is the node's `kind`, so a walker can dispatch on `node.kind`.
"""

from __future__ import annotations

from collections import namedtuple


def _node(name: str, kind: str, fields: str, doc: str):
    base = namedtuple(name, ["kind", *fields.split()])

    def __new__(cls, *args, **kwargs):  # noqa: N807 (namedtuple's constructor)
        return base.__new__(cls, kind, *args, **kwargs)

    def __getnewargs__(self):  # noqa: N807 (pickle: the fields after `kind`)
        return tuple(self)[1:]

    return type(
        name,
        (base,),
        {
            "__slots__": (),
            "__new__": __new__,
            "__getnewargs__": __getnewargs__,
            "__doc__": doc,
            "KIND": kind,
        },
    )


Const = _node("Const", "const", "value", "TRUE or FALSE.")
And = _node("And", "and", "lhs rhs", "Both operands hold.")
Or = _node("Or", "or", "lhs rhs", "Either operand holds.")
Not = _node("Not", "not", "operand", "The operand does not hold (NULL stays unknown).")
Cmp = _node("Cmp", "cmp", "op field value", "`field op value`; op one of = <> < <= > >=.")
Like = _node(
    "Like", "like", "field pattern nocase", "`field LIKE pattern` (canonical form: like.py)."
)
In = _node("In", "in", "field values", "`field IN values` (a tuple).")
Between = _node("Between", "between", "field low high", "`field BETWEEN low AND high`.")
IsNull = _node("IsNull", "isnull", "field", "`field IS NULL`.")
Spatial = _node(
    "Spatial", "spatial", "op geometry", "A shapely predicate (op) of the feature and geometry."
)
DWithin = _node("DWithin", "dwithin", "geometry distance", "Within `distance` metres.")

#: Every node type, by kind.
KINDS = {n.KIND: n for n in (Const, And, Or, Not, Cmp, Like, In, Between, IsNull, Spatial, DWithin)}
