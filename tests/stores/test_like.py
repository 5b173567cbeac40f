"""CQL2 LIKE in linear time (issue 14): the same answers as before, without backtracking."""

from __future__ import annotations

import random
import re
from re import _parser as sre_parse

from app.stores.like import compile_like, like_pattern


def _reference_regex(pattern: str) -> str:
    """How LIKE was translated before (a backtracking regex): the semantics to keep."""
    out, i = [], 0
    while i < len(pattern):
        c = pattern[i]
        if c == "\\" and i + 1 < len(pattern):
            out.append(re.escape(pattern[i + 1]))
            i += 2
            continue
        out.append(".*" if c == "%" else "." if c == "_" else re.escape(c))
        i += 1
    return "".join(out)


def test_matches_what_the_regex_matched():
    """Random short patterns and texts (ASCII, accents, case, newlines, escapes): the linear
    matcher agrees with the old regular expression, case-sensitive and under CASEI."""
    rng = random.Random(14)
    alphabet = "aAbÈè%_\\\n"
    for _ in range(4000):
        pattern = "".join(rng.choice(alphabet) for _ in range(rng.randint(0, 7)))
        text = "".join(rng.choice("aAbÈè%_\\\n") for _ in range(rng.randint(0, 7)))
        for nocase in (False, True):
            expected = re.fullmatch(
                ("(?is)" if nocase else "(?s)") + _reference_regex(pattern), text
            )
            got = compile_like(like_pattern(pattern), nocase).matches(text)
            assert got == (expected is not None), (pattern, text, nocase)


def test_runs_of_percent_collapse_and_segments_never_backtrack():
    """The evaluator's structure is what makes it linear: `%%%%%` is one `%`, the pattern is
    one part per `%`-separated segment, and every part is literals and `.` only (no
    repetition, no alternation), so each is found in one scan of the text."""
    assert like_pattern("%%%%%#") == "%#"
    assert like_pattern("a\\%%%b\\\\%\\_") == "a\\%%b\\\\%\\_"
    matcher = compile_like(like_pattern("%" * 200 + "a_b" + "%" * 50 + "#"), True)
    assert len(matcher.parts) == 3
    for part in matcher.parts:
        ops = {str(op) for op, _ in sre_parse.parse(part.pattern, part.flags)}
        assert ops <= {"LITERAL", "ANY"}, (part.pattern, ops)
