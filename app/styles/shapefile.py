"""The `.qml` and `.sld` to put beside a shapefile (QGIS applies a `.qml` of the same name
when it opens the `.shp`).

A shapefile keeps at most 10 characters of a field name (GDAL writes
`obiettivo_strategico` as `obiettivo_`), so the style names the fields as the `.dbf` has
them: pass the written field names and each layer field is matched to its stored name.
"""

from __future__ import annotations

from collections.abc import Iterable

from app.registry.spec import LayerSpec
from app.styles import model, qml, sld

DBF_NAME_LENGTH = 10


def stored_names(spec: LayerSpec, written: Iterable[str]) -> dict[str, str]:
    """layer field -> its name in the file, where they differ: by position when the file has
    every field (as GDAL writes them), else the only written name that is its first 10
    characters (case-insensitively, as dBASE compares); unmatched fields are left."""
    written = list(written)
    if len(written) == len(spec.field_names):  # GDAL keeps the order: name by position, so
        # clashes it numbered (obiettivo_strategico, obiettivo_operativo -> obiettivo_,
        # obiettiv_1) are told apart
        return {f: w for f, w in zip(spec.field_names, written, strict=True) if f != w}
    exact = set(written)
    out = {}
    for field in spec.field_names:
        if field in exact:
            continue
        short = field[:DBF_NAME_LENGTH].lower()
        found = [w for w in written if w.lower() == short]
        if len(found) == 1:
            out[field] = found[0]
    return out


def shapefile_sidecars(
    spec: LayerSpec,
    family: str | None = None,
    written_fields: Iterable[str] | None = None,
    lang: str = "it",
    layer_name: str | None = None,
) -> dict[str, str]:
    """{"qml": text, "sld": text} for a shapefile of the layer's `family` (None: the
    declared one); `written_fields`: the `.dbf`'s field names (e.g. from
    `pyogrio.read_info(path)["fields"]`), so that truncated names still match."""
    chosen = model.parse_family(family, spec)
    if chosen is None:
        raise ValueError(f"layer '{spec.id}' mixes geometry types: name the shapefile's family")
    style = model.build(spec, chosen, lang)
    if written_fields is not None:
        style = model.with_names(style, stored_names(spec, written_fields))
    if chosen == model.NO_GEOMETRY_FAMILY:  # a lone .dbf: the field labels alone
        return {"qml": qml.encode(style)}
    return {"qml": qml.encode(style), "sld": sld.encode(style, layer_name)}
