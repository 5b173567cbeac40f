"""Rebuild every shipped layer in geodata/ in dependency order.

Needs ../shared; confine.geojson is built separately by build_confine.py.

python scripts/build_geodata.py
"""

from __future__ import annotations

import build_cultura
import build_interventi
import build_luoghi
import build_quartieri


def main() -> None:
    build_quartieri.main()  # before the others: they use the quartiere polygons
    build_cultura.main()
    build_interventi.main()
    build_luoghi.main()  # after interventi: checks the intervention ids it links to


if __name__ == "__main__":
    main()
