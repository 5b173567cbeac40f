"""Text normalisation for the search index: case, accents, apostrophes, abbreviations.

"P.zza Sant'Agata", "piazza S. Agata" and "PIAZZA SANT AGATA" all become the tokens
`piazza san agata`. Street types and little words are kept apart as *soft* tokens: they
help ranking ("corso Garibaldi" before "via Garibaldi") but are never required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# The words themselves (case, accents, apostrophes, abbreviations, saints) are app.text's:
# the official street list (app/streets.py) finds streets in a text with the same rules.
from app.text import ABBREVIATIONS, FOLD, STOPWORDS, fold, words  # noqa: F401 (re-exported)

STREET_TYPES = frozenset(
    "via viale piazza piazzetta piazzale corso largo vicolo strada localita frazione borgo "
    "spalto salita lungo passeggiata contrada galleria vecchia provinciale comunale "
    "quartiere".split()
)
SOFT = STREET_TYPES | STOPWORDS

_WORD = re.compile(r"[a-z0-9]+")


@dataclass(frozen=True)
class Tokens:
    """A text split for matching: significant words, soft words, numbers."""

    words: tuple[str, ...]
    soft: tuple[str, ...]
    numbers: tuple[str, ...]


def tokenize(text: str) -> Tokens:
    """Split `text` into significant words, soft words and numbers (house numbers, "12a")."""
    sig, soft, nums = [], [], []
    parts = words(text)
    for i, w in enumerate(parts):
        if w[0].isdigit():
            # "12 a" or "12/a": a single letter after a number is its suffix.
            nxt = parts[i + 1] if i + 1 < len(parts) else ""
            if w.isdigit() and len(nxt) == 1 and nxt.isalpha():
                w += nxt
            nums.append(w)
        elif len(w) == 1 and i > 0 and parts[i - 1].isdigit():
            continue  # consumed as a suffix above
        elif w in SOFT:
            soft.append(w)
        else:
            sig.append(w)
    return Tokens(tuple(sig), tuple(soft), tuple(nums))


def house_key(number, suffix=None) -> str | None:
    """The key of a house number: '12', '12a', '12bis'."""
    if number is None:
        return None
    text = str(number).strip()
    if text.endswith(".0"):
        text = text[:-2]
    if suffix:
        text += "".join(_WORD.findall(fold(str(suffix))))
    return "".join(_WORD.findall(fold(text))) or None
