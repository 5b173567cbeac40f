"""The official street list (stradario) editors pick the street of a feature from.

Configured by the organisation file's `streets` block (a CSV with the columns `codice`,
`codice_comunale`, `dug`, `denominazione`, `nome`; the shipped council's is the ANNCSU
list built by scripts/build_stradario.py). Without that block the feature is absent:
`available()` is False and the other calls raise `StreetListNotConfigured` (404).

    from app import streets
    streets.suggest("stradivari")   # [{"codice": "254270", "nome": "Piazza Antonio ...", ...}]
    streets.by_code("254270")       # that street, or None
    streets.attribution()           # the credit line to show with the list
    streets.street_list().named_in("Pista ciclabile di via Mantova")  # [Via Mantova]

The list is read once per app, on first use, and kept on the app.
"""

from __future__ import annotations

import csv
import re
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.errors import NotFound
from app.organisation import OrganisationError, organisation
from app.text import STOPWORDS, fold
from app.text import words as _words

KEY = "geoportale.streets"
COLUMNS = ("codice", "codice_comunale", "dug", "denominazione", "nome")
_LOCK = threading.Lock()


class StreetListNotConfigured(NotFound):
    code = "street-list-not-configured"
    title = "No street list"


def _key(text: str) -> str:
    """Folded for matching: no case, accents or apostrophes, single spaces."""
    return " ".join(fold(text).split())


@dataclass(frozen=True)
class Street:
    codice: str
    codice_comunale: str
    dug: str
    denominazione: str
    nome: str

    def as_dict(self) -> dict:
        return {
            "codice": self.codice,
            "nome": self.nome,
            "dug": self.dug,
            "denominazione": self.denominazione,
            "codice_comunale": self.codice_comunale,
        }


# -- streets named in a text ------------------------------------------------------------
#: Numbers in street names: the list spells them ("UNDICI FEBBRAIO"), texts often write
#: a Roman or Arabic numeral ("via XI Febbraio"); both sides become digits.
_NUMBER_WORDS = (
    "uno due tre quattro cinque sei sette otto nove dieci undici dodici tredici quattordici "
    "quindici sedici diciassette diciotto diciannove venti ventuno ventidue ventitre "
    "ventiquattro venticinque ventisei ventisette ventotto ventinove trenta trentuno"
).split()
_NUMBERS = {w: str(n) for n, w in enumerate(_NUMBER_WORDS, start=1)}
_ROMAN = re.compile(r"^(x{0,3})(ix|iv|v?i{0,3})$")
_ROMAN_UNITS = {"": 0, "i": 1, "ii": 2, "iii": 3, "iv": 4, "v": 5, "vi": 6, "vii": 7,
                "viii": 8, "ix": 9}  # fmt: skip
#: Street types a text may write for one another (the official type is tried first).
RELATED_TYPES = {
    ("piazza",): (("piazzale",), ("piazzetta",)),
    ("piazzale",): (("piazza",), ("piazzetta",)),
    ("piazzetta",): (("piazza",), ("piazzale",)),
}
#: Where a text is cut into pieces whose first letter tells a name ("d'Italia": "Italia").
_PIECES = re.compile(r"[\s'’‘`´ʼ]+")


def _canonical(word: str) -> str:
    """A normalised word (app.text.words) with numbers as digits: "xi", "undici" -> "11".
    Single letters stay (an initial, or the article "i")."""
    if word in _NUMBERS:
        return _NUMBERS[word]
    m = _ROMAN.match(word) if len(word) > 1 else None
    if m:
        return str(10 * len(m.group(1)) + _ROMAN_UNITS[m.group(2)])
    return word


def _street_words(text: str) -> list[str]:
    return [_canonical(w) for w in _words(text)]


def _text_words(text: str) -> list[tuple[str, bool]]:
    """The words of a free text for finding street names, each with whether it was written
    with a capital (or a digit): a street's name is; "la via vecchia" names no street."""
    shouting = not any(c.islower() for c in text)
    out = []
    for piece in _PIECES.split(text):
        first = next((c for c in piece if c.isalnum()), "")
        capital = shouting or first.isupper() or first.isdigit()
        out.extend((w, capital) for w in _street_words(piece))
    return out


def _significant(words) -> tuple[str, ...]:
    return tuple(w for w in words if w not in STOPWORDS)


def _same(written: tuple[str, ...], official: tuple[str, ...]) -> bool:
    """Name words as written against a form of an official name; a written initial ("G.")
    stands for an official word starting with it."""
    return len(written) == len(official) and all(
        w == o or (len(w) == 1 and w.isalpha() and o.startswith(w))
        for w, o in zip(written, official, strict=True)
    )


class _Mentions:
    """What `StreetList.named_in` looks up: per street type, the forms of each name.

    A street's forms are its full name (little words such as "del" ignored: "via Vecchia
    Dogana" is Via della Vecchia Dogana) and, for a name of several words, each ending that
    follows a word which is not a little word: "via Ponchielli" is Via Amilcare Ponchielli,
    but "via Roma" is not Via Trattati di Roma.
    """

    def __init__(self, streets: list[Street]):
        self.types: list[tuple[str, ...]] = []
        self.forms: dict[tuple[str, ...], list[tuple[tuple[str, ...], bool, Street]]] = {}
        for street in streets:
            kind = tuple(_street_words(street.dug))
            name = _street_words(street.denominazione)
            if not kind or not _significant(name):
                continue
            forms = self.forms.setdefault(kind, [])
            forms.append((_significant(name), True, street))
            for cut in range(1, len(name)):
                if name[cut - 1] not in STOPWORDS and _significant(name[cut:]):
                    forms.append((_significant(name[cut:]), False, street))
        # longer types first: "pista ciclabile" before any one-word type
        self.types = sorted(self.forms, key=len, reverse=True)
        self.longest = max((len(f) for fs in self.forms.values() for f, _, _ in fs), default=0)

    def at(self, words: list[tuple[str, bool]], i: int) -> tuple[Street, int] | None:
        """The street named from word i (its type there), and the index after its name."""
        for kind in self.types:
            if tuple(w for w, _ in words[i : i + len(kind)]) != kind:
                continue
            name, ends, j = [], [], i + len(kind)
            while j < len(words) and len(name) < self.longest:
                word, capital = words[j]
                j += 1
                if word in STOPWORDS:
                    continue
                if not name and not capital:
                    return None
                name.append(word)
                ends.append(j)
            # A square's type is written loosely ("piazzale" for an official "Piazza"): the
            # related types only where no street of the written type has the name.
            for kinds in ((kind,), RELATED_TYPES.get(kind, ())):
                found = self._lookup(kinds, name)
                if found is not None:
                    street, n = found
                    return (street, ends[n - 1]) if street else None
            return None
        return None

    def _lookup(self, kinds, name: list[str]) -> tuple[Street | None, int] | None:
        """(street, words of the name used); (None, n) where two streets share the name
        (no guess); None where no street has it. The longest name written first, a full
        name before an ending of one."""
        for n in range(len(name), 0, -1):
            written = tuple(name[:n])
            for full in (True, False):
                found = {
                    s.codice: s
                    for kind in kinds
                    for form, is_full, s in self.forms.get(kind, ())
                    if is_full is full and _same(written, form)
                }
                if len(found) == 1:
                    return next(iter(found.values())), n
                if found:
                    return None, n
        return None


class StreetList:
    """The streets of one list, with what matching needs precomputed."""

    def __init__(self, streets: list[Street], attribution: str):
        self.attribution = attribution
        self._streets = sorted(streets, key=lambda s: (_key(s.nome), s.codice))
        self._by_code = {s.codice: s for s in self._streets}
        # per street: its folded display name, its folded name without the type, its words
        self._keys = [
            (_key(s.nome), _key(s.denominazione), _key(s.nome).split()) for s in self._streets
        ]
        self._mentions: _Mentions | None = None

    def __len__(self) -> int:
        return len(self._streets)

    def all(self) -> list[dict]:
        """Every street, in name order."""
        return [s.as_dict() for s in self._streets]

    @classmethod
    def read(cls, path: Path, attribution: str) -> StreetList:
        """Read a street list CSV; OrganisationError naming the file when it is not one."""
        try:
            with path.open(encoding="utf-8", newline="") as f:
                reader = csv.DictReader(f)
                if not set(COLUMNS) <= set(reader.fieldnames or ()):
                    raise OrganisationError(f"{path}: a street list needs the columns {COLUMNS}")
                streets = [Street(**{c: (row[c] or "").strip() for c in COLUMNS}) for row in reader]
        except (OSError, UnicodeDecodeError, csv.Error) as exc:
            raise OrganisationError(f"{path}: not a readable street list: {exc}") from None
        if any(not s.codice or not s.nome for s in streets):
            raise OrganisationError(f"{path}: a street without codice or nome")
        return cls(streets, attribution)

    def suggest(self, query: str, limit: int = 10) -> list[dict]:
        """Streets matching `query` (case, accents and apostrophes ignored), best first:
        names that start with it (with or without the street type: "via dante", "dante"),
        then names with a word starting with each of its words ("ant strad"; the earlier that
        word, the better), then names containing it; alphabetical within each group."""
        q = _key(query)
        if not q or limit < 1:
            return []
        words = q.split()
        prefix, word_prefix, inside = [], [], []
        for street, (nome, denominazione, name_words) in zip(
            self._streets, self._keys, strict=True
        ):
            if nome.startswith(q) or denominazione.startswith(q):
                prefix.append(street)
            elif all(any(w.startswith(qw) for w in name_words) for qw in words):
                # earlier words first: "liberta" -> Piazza della Libertà, then Albero della ...
                at = next(i for i, w in enumerate(name_words) if w.startswith(words[0]))
                word_prefix.append((at, len(word_prefix), street))
            elif q in nome:
                inside.append(street)
        ranked = prefix + [s for _, _, s in sorted(word_prefix, key=lambda t: t[:2])] + inside
        return [s.as_dict() for s in ranked[:limit]]

    def by_code(self, codice: str) -> dict | None:
        street = self._by_code.get(str(codice).strip())
        return street.as_dict() if street else None

    def named_in(self, text: str | None) -> list[dict]:
        """The streets of the list a free text names, in the order it first names them.

        A street is named by its type and its name ("via del Macello", "P.zza Marconi",
        "viale Trento e Trieste"), as `suggest` compares them (case, accents, apostrophes,
        abbreviations, "S."/"Sant'"), numbers written any way ("via XI Febbraio" is Via Undici
        Febbraio), little words optional, an initial for a first name ("via G. Grassi"), the
        first names left out ("corso Mazzini" is Corso Giuseppe Mazzini). Never guessed: a
        name without its type (a person: "Teatro Ponchielli"), a name written in lower case
        ("per via della crisi", "la via vecchia"), a name two streets of that type share.
        """
        if not text:
            return []
        if self._mentions is None:
            self._mentions = _Mentions(self._streets)
        words = _text_words(text)
        found: dict[str, Street] = {}
        i = 0
        while i < len(words):
            hit = self._mentions.at(words, i)
            if hit is None:
                i += 1
                continue
            street, i = hit
            found.setdefault(street.codice, street)
        return [s.as_dict() for s in found.values()]


def street_list() -> StreetList | None:
    """The current app's street list (read on first use), None when none is configured."""
    spec = organisation().streets
    if spec is None:
        return None
    app = current_app._get_current_object()
    found = app.extensions.get(KEY)
    if found is None:
        with _LOCK:
            found = app.extensions.get(KEY)
            if found is None:
                path = spec.location(app.config["GEOPORTALE"]["ORGANISATION"])
                found = app.extensions[KEY] = StreetList.read(path, spec.attribution)
    return found


def available() -> bool:
    """True when the organisation file configures a street list."""
    return organisation().streets is not None


def _required() -> StreetList:
    found = street_list()
    if found is None:
        raise StreetListNotConfigured(
            "Nessuno stradario configurato. / No street list is configured (organisation file)."
        )
    return found


def suggest(query: str, limit: int = 10) -> list[dict]:
    """Up to `limit` streets for `query`, best first (see StreetList.suggest)."""
    return _required().suggest(query, limit)


def by_code(codice: str) -> dict | None:
    """The street with this id (for an Italian comune, ANNCSU's national street code), or
    None if the list has no such street."""
    return _required().by_code(codice)


def attribution() -> str:
    """The credit line to show with the street list."""
    return _required().attribution
