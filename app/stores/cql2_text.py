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


# The lines of pygeofilter's grammar.lark (0.4) the extensions replace or insert before.
_ATTRIBUTE = "attribute: /[a-zA-Z][a-zA-Z_:0-9.]+/"
_SINGLE_QUOTED = 'SINGLE_QUOTED: "\'" /.*?/ "\'"'
_RELATE = '                  | "RELATE"'
_BOOLEAN = "BOOLEAN.2:"


def patch(grammar: str, old: str, new: str) -> str:
    """`grammar` with `old` (which must occur exactly once) replaced by `new`.

    A new pygeofilter whose grammar no longer has the line fails here, at the first parse,
    naming it, instead of silently losing the extension."""
    found = grammar.count(old)
    if found != 1:
        raise RuntimeError(
            f"pygeofilter's CQL2 grammar changed: expected {old.strip()!r} once, found it "
            f"{found} times (app/stores/cql2_text.py extends that grammar)"
        )
    return grammar.replace(old, new)


@lru_cache(maxsize=1)
def text_parser() -> Lark:
    import pygeofilter.parsers.cql2_text as base

    folder = os.path.dirname(base.__file__)
    with open(os.path.join(folder, "grammar.lark"), encoding="utf-8") as f:
        grammar = f.read()
    grammar = patch(grammar, _ATTRIBUTE, "attribute: /[a-zA-Z_][a-zA-Z_:0-9.]*/")
    grammar = patch(grammar, _SINGLE_QUOTED, "SINGLE_QUOTED: /'(?:[^']|'')*'/")
    grammar = patch(
        grammar,
        _RELATE,
        '                  | "S_DWITHIN"i "(" expression "," expression "," full_number '
        '["," UNITS] ")" -> dwithin_predicate\n' + _RELATE,
    )
    grammar = patch(
        grammar,
        _BOOLEAN,
        'UNITS: "meters"i | "metres"i | "kilometers"i | "km"i | "m"i\n' + _BOOLEAN,
    )
    return Lark(
        grammar,
        parser="lalr",
        maybe_placeholders=False,
        transformer=_Transformer(),
        import_paths=[os.path.dirname(folder)],
        source_path=os.path.join(folder, "grammar.lark"),
    )
