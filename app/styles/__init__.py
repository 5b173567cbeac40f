"""Layer styles as data: SLD 1.0, QML and MapLibre GL styles made from the layer files.

`model.py` turns a layer file's `style` into rules and symbols once (the web map's drawing
rules); `sld.py`, `qml.py` and `mapbox.py` write them; `views.py` serves them as OGC API -
Styles (`/api/collections/{id}/styles`); `gpkg.py` writes them into a GeoPackage's
`layer_styles` table, which QGIS applies when it opens the layer.
"""

from __future__ import annotations

from app.errors import InvalidParameter, NotFound
from app.registry.spec import LayerSpec
from app.styles import mapbox, model, qml, sld
from app.styles.model import FAMILIES, families_of, parse_family

#: The one style each layer has (its layer file's), and the encodings it is served in.
DEFAULT_STYLE = "default"
ENCODINGS = {
    "sld": (sld.MEDIA_TYPE, "SLD 1.0"),
    "qml": (qml.MEDIA_TYPE, "QML (QGIS)"),
    "mapbox": (mapbox.MEDIA_TYPE, "MapLibre / Mapbox GL style"),
}
LANGUAGES = ("it", "en")

__all__ = [
    "DEFAULT_STYLE",
    "ENCODINGS",
    "FAMILIES",
    "StyleNotFound",
    "families_of",
    "parse_family",
    "parse_language",
    "qml_document",
    "sld_document",
]


class StyleNotFound(NotFound):
    code = "style-not-found"
    title = "Style not found"


def parse_language(value: str | None) -> str:
    if value is None:
        return "it"
    if value not in LANGUAGES:
        raise InvalidParameter(f"unknown lang {value!r}; use it or en", "lang")
    return value


def _one_family(spec: LayerSpec, family: str | None) -> str:
    if family is None:
        names = ", ".join(FAMILIES)
        raise InvalidParameter(
            f"layer '{spec.id}' holds several geometry types: ask for the style of one "
            f"with family={names}",
            "family",
        )
    return family


def sld_document(
    spec: LayerSpec, family: str | None, lang: str = "it", layer_name: str | None = None
) -> str:
    """The SLD 1.0 of the layer for `family` (None: the declared one, if single)."""
    style = model.build(spec, _one_family(spec, family), lang)
    return sld.encode(style, layer_name)


def qml_document(spec: LayerSpec, family: str | None, lang: str = "it") -> str:
    """The QML of the layer for `family` (None: the declared one, if single)."""
    return qml.encode(model.build(spec, _one_family(spec, family), lang))
