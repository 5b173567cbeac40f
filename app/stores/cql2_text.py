"""pygeofilter's CQL2-text grammar, extended: `S_DWITHIN(geom, geom, m)` (distance in
metres), one-letter property names and `''` inside strings."""

from __future__ import annotations

import os
from functools import lru_cache

from lark import Lark, v_args
from pygeofilter import ast
from pygeofilter.parsers.cql2_text.parser import CQLTransformer


class _Transformer(CQLTransformer):
    @v_args(inline=True)
    def dwithin_predicate(self, lhs, rhs, distance, units=None):
        return ast.DistanceWithin(lhs, rhs, distance, str(units or "meters").lower())

    def SINGLE_QUOTED(self, token):  # noqa: N802 (lark terminal name)
        return token[1:-1].replace("''", "'")


@lru_cache(maxsize=1)
def text_parser() -> Lark:
    import pygeofilter.parsers.cql2_text as base

    folder = os.path.dirname(base.__file__)
    with open(os.path.join(folder, "grammar.lark"), encoding="utf-8") as f:
        grammar = f.read()
    grammar = grammar.replace(
        "attribute: /[a-zA-Z][a-zA-Z_:0-9.]+/", "attribute: /[a-zA-Z_][a-zA-Z_:0-9.]*/"
    )
    grammar = grammar.replace('SINGLE_QUOTED: "\'" /.*?/ "\'"', "SINGLE_QUOTED: /'(?:[^']|'')*'/")
    grammar = grammar.replace(
        '                  | "RELATE"',
        '                  | "S_DWITHIN"i "(" expression "," expression "," full_number '
        '["," UNITS] ")" -> dwithin_predicate\n                  | "RELATE"',
    )
    grammar = grammar.replace(
        "BOOLEAN.2:", 'UNITS: "meters"i | "metres"i | "kilometers"i | "km"i | "m"i\nBOOLEAN.2:'
    )
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_Transformer(),
        import_paths=[os.path.dirname(folder)],
        source_path=os.path.join(folder, "grammar.lark"),
    )
