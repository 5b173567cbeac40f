"""Folding text for matching: what search and the quartiere matcher both compare on."""

from __future__ import annotations

import unicodedata

_APOSTROPHES = str.maketrans({c: " " for c in "'’‘`´ʼ"})


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().translate(_APOSTROPHES)
