"""The vocabulary of a feature's zone origin: where the number of the quartiere it belongs to
comes from (the field the organisation's `zones.origin_field` names, `quartiere_origine` in
the shipped data), in words a citizen understands.

Written once here, in Italian; the English is in the one catalogue (app/i18n_catalogue.py).
The data's builds (scripts/build_*.py) write the codes; a sourced zone wins over the cell.
"""

from __future__ import annotations

#: code -> Italian words (the catalogue key of their English)
ORIGIN: dict[str, str] = {
    "testo": "dal testo del documento",
    "gazetteer": "dal gazetteer",
    "geometria": "dalla posizione sul poligono indicativo",
}
