"""Text normalisation for the search index: case, accents, apostrophes, abbreviations.

"P.zza Sant'Agata", "piazza S. Agata" and "PIAZZA SANT AGATA" all become the tokens
`piazza san agata`. Street types and little words are kept apart as *soft* tokens: they
help ranking ("corso Garibaldi" before "via Garibaldi") but are never required.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from app.text import fold

#: Italian street-type abbreviations (as written, dots included) and their full form.
ABBREVIATIONS = {
    "v": "via",
    "v.le": "viale",
    "vle": "viale",
    "p.za": "piazza",
    "p.zza": "piazza",
    "pza": "piazza",
    "pzza": "piazza",
    "p.zetta": "piazzetta",
    "p.le": "piazzale",
    "ple": "piazzale",
    "c.so": "corso",
    "cso": "corso",
    "l.go": "largo",
    "lgo": "largo",
    "v.lo": "vicolo",
    "vic": "vicolo",
    "str": "strada",
    "loc": "localita",
    "fraz": "frazione",
    "b.go": "borgo",
    "s": "san",
    "s.": "san",
    "ss": "santi",
    "sta": "santa",
    "sto": "santo",
}
#: Saints' forms are folded together: "Sant'Agata", "S. Agata" and "Santa Agata" meet.
FOLD = {"sant": "san", "santa": "san", "santo": "san", "santi": "san"}

STREET_TYPES = frozenset(
    "via viale piazza piazzetta piazzale corso largo vicolo strada localita frazione borgo "
    "spalto salita lungo passeggiata contrada galleria vecchia provinciale comunale "
    "quartiere".split()
)
STOPWORDS = frozenset(
    "di del della dello dei degli delle e ed il lo la i gli le l d a al alla allo ai agli "
    "alle da dal dalla in nel nella per con su sul sulla tra fra".split()
)
SOFT = STREET_TYPES | STOPWORDS

_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")


@dataclass(frozen=True)
class Tokens:
    """A text split for matching: significant words, soft words, numbers."""

    words: tuple[str, ...]
    soft: tuple[str, ...]
    numbers: tuple[str, ...]


def _expand(raw: str) -> list[str]:
    """One whitespace-separated chunk to its normalised words (abbreviations expanded)."""
    bare = raw.strip(',;:()[]"')
    full = ABBREVIATIONS.get(bare) or ABBREVIATIONS.get(bare.rstrip("."))
    if full:
        return [full]
    return _WORD.findall(bare)


def words(text: str) -> list[str]:
    """All normalised words of `text`, in order (numbers included)."""
    out: list[str] = []
    for chunk in _SPACE.split(fold(text)):
        for w in _expand(chunk):
            out.append(FOLD.get(w, w))
    return out


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
