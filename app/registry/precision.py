"""The vocabulary of `precisione`: how exactly a feature's geometry places it.

Written once here; the layer files' `style.approximate`, the editor, bulk placement and the
store's placement check use it. From the most exact to the least.
"""

from __future__ import annotations

#: value -> (Italian, English) meaning
PRECISION: dict[str, tuple[str, str]] = {
    "edificio": ("l'edificio stesso", "the building itself"),
    "indirizzo": ("il numero civico", "the house number"),
    "via": ("la via o il tratto di via", "the street or a stretch of it"),
    "area": ("l'area del progetto", "the project's area"),
    "località": ("il punto di una località", "a locality's label point"),
    "quartiere": ("l'intero quartiere", "the whole quartiere"),
    "comune": ("l'intero comune", "the whole comune"),
    "ufficiale": ("confine ufficiale", "official boundary"),
}
#: What a placement by the SIT office can say (the editor offers these).
PLACEMENT: tuple[str, ...] = ("edificio", "indirizzo", "via", "area", "quartiere")

#: How a placement was obtained: the phrase that starts a feature's `fonte_posizione`
#: ("<phrase>: <source of the point>") -> the finest precisione that derivation supports.
DERIVATION: dict[str, str] = {
    # the point of the very building named (OpenStreetMap/Nominatim or gazetteer)
    "punto dell'edificio stesso": "edificio",
    # the point of the building that houses it, and a cited source says it is in there
    "punto dell'edificio che lo ospita": "edificio",
    # the point of the building at its house number, the number cited from a source
    "punto dell'edificio al suo numero civico": "indirizzo",
    # the point of the area named (a square, a park, a cemetery)
    "punto dell'area stessa": "area",
    # the point of another place inside or next to the feature's area
    "punto di un luogo dell'area": "area",
    # the label point of a whole locality (GeoNames): not a site
    "punto di etichetta della località": "località",
    # no point: the whole quartiere (drawn as its faint outline)
    "intero quartiere": "quartiere",
    "intero comune": "comune",
}
#: Sources whose points never support more than a class, whatever the phrase says.
SOURCE_LIMIT: dict[str, str] = {"GeoNames": "località"}


def rank(value: str) -> int:
    """Position in the vocabulary: 0 is the most exact."""
    return list(PRECISION).index(value)


def derived_precision(fonte_posizione: str | None) -> str | None:
    """The finest precisione a placement's derivation supports, read from `fonte_posizione`.

    None when the text states no known derivation (then no precisione is supported).
    """
    if not fonte_posizione:
        return None
    found = next(
        (p for phrase, p in DERIVATION.items() if fonte_posizione.startswith(phrase)), None
    )
    if found is None:
        return None
    for marker, limit in SOURCE_LIMIT.items():
        if marker in fonte_posizione and rank(limit) > rank(found):
            found = limit
    return found


def finer_than_derivation(precisione: str | None, fonte_posizione: str | None) -> bool:
    """True when a feature claims more exactness than how it was placed supports."""
    if precisione is None:
        return False
    supported = derived_precision(fonte_posizione)
    if supported is None or precisione not in PRECISION:
        return True
    return rank(precisione) < rank(supported)
