"""CQL2 LIKE in linear time: `%` any run of characters, `_` one character, `\\` escapes.

A pattern is kept in one canonical form (runs of `%` collapsed into one; only `%`, `_` and
`\\` escaped, by a backslash), which PostgreSQL's own LIKE/ILIKE runs as it is. The
GeoPackage store runs `compile_like` instead: SQLite's LIKE folds ASCII letters only and
cannot be made case-sensitive per statement, and CQL2 LIKE is case-sensitive (CASEI() for
Unicode case-insensitive matching).

Why not a regular expression: `%` as `.*` in a backtracking engine (Python's `re`) makes
`'%%%%%#'` cost the text's length to the power of the number of `%` (issue 14, 19 s on
250 features). Here the pattern is split at `%` into segments of fixed length (literal
characters and `_`); the first must match at the start, the last at the end, and each
one between is found leftmost after the previous one. Leftmost is exact: placing a
segment as early as possible leaves the most room for the segments after it, so nothing
is ever retried, and a match costs at most one scan of the text per segment.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

SPECIAL = "%_\\"


def escape_char(c: str) -> str:
    """One literal character in canonical form."""
    return "\\" + c if c in SPECIAL else c


def literal_pattern(text: str) -> str:
    """A pattern matching exactly `text` (CASEI(x) = 'text' is a LIKE without wildcards)."""
    return "".join(escape_char(c) for c in text)


def like_pattern(raw: str) -> str:
    """A CQL2 LIKE pattern in canonical form. A backslash makes the next character a
    literal; a lone backslash at the end is a literal backslash (as it always was here)."""
    out: list[str] = []
    i = 0
    while i < len(raw):
        c = raw[i]
        if c == "\\":
            out.append(escape_char(raw[i + 1]) if i + 1 < len(raw) else "\\\\")
            i += 2
            continue
        if c != "%" or not out or out[-1] != "%":  # `%%` matches what `%` matches
            out.append(c)
        i += 1
    return "".join(out)


def segments(pattern: str) -> list[list[str | None]]:
    """A canonical pattern split at its `%`: each segment a list of characters, None for `_`."""
    out: list[list[str | None]] = [[]]
    i = 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out[-1].append(pattern[i + 1])
            i += 2
            continue
        if c == "%":
            out.append([])
        else:
            out[-1].append(None if c == "_" else c)
        i += 1
    return out


@dataclass(frozen=True)
class LikeMatcher:
    """A compiled pattern: one regular expression per segment, each without repetition or
    alternation (literal characters and `.` only), so each finds its place in one scan."""

    parts: tuple[re.Pattern, ...]
    last_length: int

    def matches(self, text: str) -> bool:
        parts = self.parts
        if len(parts) == 1:
            return parts[0].fullmatch(text) is not None
        found = parts[0].match(text)
        if found is None:
            return False
        pos = found.end()
        for part in parts[1:-1]:
            found = part.search(text, pos)
            if found is None:
                return False
            pos = found.end()
        start = len(text) - self.last_length
        return start >= pos and parts[-1].fullmatch(text, start) is not None


@lru_cache(maxsize=256)
def compile_like(pattern: str, nocase: bool) -> LikeMatcher:
    """The matcher of a canonical pattern; `nocase` folds case as CASEI() asks.

    Python's IGNORECASE compares one character with one character (no multi-character
    folding), so every segment keeps its length, which `matches` relies on."""
    flags = re.DOTALL | (re.IGNORECASE if nocase else 0)
    parts = [
        re.compile("".join("." if c is None else re.escape(c) for c in seg), flags)
        for seg in segments(pattern)
    ]
    return LikeMatcher(tuple(parts), len(segments(pattern)[-1]))


def like(pattern: str, nocase, value) -> bool | None:
    """SQLite's `cql2_like(pattern, nocase, value)`: NULL stays NULL (unknown), any other
    value is matched as text."""
    if value is None:
        return None
    return compile_like(pattern, bool(nocase)).matches(str(value))
