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
