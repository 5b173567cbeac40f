"""The official street list (stradario) editors pick the street of a feature from.

Configured by the organisation file's `streets` block (a CSV with the columns `codice`,
`codice_comunale`, `dug`, `denominazione`, `nome`; the shipped council's is the ANNCSU
list built by scripts/build_stradario.py). Without that block the feature is absent:
`available()` is False and the other calls raise `StreetListNotConfigured` (404).

    from app import streets
    streets.suggest("stradivari")   # [{"codice": "254270", "nome": "Piazza Antonio ...", ...}]
    streets.by_code("254270")       # that street, or None
    streets.attribution()           # the credit line to show with the list

The list is read once per app, on first use, and kept on the app.
"""

from __future__ import annotations

import csv
import threading
from dataclasses import dataclass
from pathlib import Path

from flask import current_app

from app.errors import NotFound
from app.organisation import OrganisationError, organisation
from app.text import fold

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
