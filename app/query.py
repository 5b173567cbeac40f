"""The query parameters every resource shares, and the one check of the others.

Each resource takes its own parameters and answers any other with a 400 naming it (a typo
must not silently change a result). `lang`, the page's language (app/i18n.py), is taken
everywhere: the header's language links add it to whatever address the person is on.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.errors import InvalidParameter
from app.i18n import PARAM as LANGUAGE

#: Taken by every resource, beside its own.
SHARED = frozenset({LANGUAGE})


def check_known(args: Mapping, allowed: Iterable[str]) -> None:
    """A 400 naming the first parameter in `args` that is neither `allowed` nor shared."""
    allowed = set(allowed)
    unknown = sorted(set(args) - allowed - SHARED)
    if unknown:
        accepted = ", ".join(sorted(allowed)) or "no parameters"
        raise InvalidParameter(
            f"unknown parameter {unknown[0]!r}; this resource accepts: {accepted}", unknown[0]
        )
