"""How deep a CQL2 filter may nest, checked before anything walks it recursively."""

from __future__ import annotations

from pygeofilter import ast

from app.errors import InvalidParameter

# Deepest filter tree accepted: every walk of the tree (building, SQL, evaluation, psycopg's
# composition) recurses once or a few times per level, and Python stops at 1,000 frames
# (1,300 chained ANDs or a 400-deep `not` were a RecursionError, a 500: issue 14).
MAX_DEPTH = 100


def ast_children(node) -> list:
    if isinstance(node, ast.Node):
        subs = node.get_sub_nodes()
    elif isinstance(node, (list, tuple)):
        subs = node
    else:
        return []
    # Lists (IN's values, a function's arguments) hold nodes a level down, not a level.
    out = []
    for sub in subs:
        out.extend(sub if isinstance(sub, (list, tuple)) else [sub])
    return [n for n in out if isinstance(n, ast.Node)]


def json_children(node) -> list:
    items = node.values() if isinstance(node, dict) else node if isinstance(node, list) else []
    out = []
    for item in items:  # a list is not a level (`args`), the objects in it are
        out.extend(item if isinstance(item, list) else [item])
    return [n for n in out if isinstance(n, (dict, list))]


def check_depth(root, children) -> None:
    """InvalidParameter when the tree nests deeper than MAX_DEPTH (walked without recursion,
    so the check itself cannot overflow)."""
    stack = [(root, 1)]
    while stack:
        node, depth = stack.pop()
        if depth > MAX_DEPTH:
            raise InvalidParameter(
                f"filter nests more than {MAX_DEPTH} levels deep (a long chain of AND or OR "
                "counts one level per operator: use IN (...) for a list of values)",
                "filter",
            )
        stack.extend((child, depth + 1) for child in children(node))
