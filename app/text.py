"""Folding text for matching: what search, the quartiere matcher and the street list compare
on. `fold` ignores case, accents and apostrophes; `words` also expands Italian abbreviations
("P.zza Sant'Agata", "piazza S. Agata" and "PIAZZA SANT AGATA" give the same words)."""

from __future__ import annotations

import re
import unicodedata

_APOSTROPHES = str.maketrans({c: " " for c in "'’‘`´ʼ"})


def fold(text: str) -> str:
    """Lower case, no accents, apostrophes as spaces."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c))
    return text.lower().translate(_APOSTROPHES)


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

STOPWORDS = frozenset(
    "di del della dello dei degli delle e ed il lo la i gli le l d a al alla allo ai agli "
    "alle da dal dalla in nel nella per con su sul sulla tra fra".split()
)

_WORD = re.compile(r"[a-z0-9]+")
_SPACE = re.compile(r"\s+")


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
