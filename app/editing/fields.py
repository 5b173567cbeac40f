"""The attribute form of a layer, described for the editor's script.

One entry per field of the layer file, in its order: name, label in the page's language,
the field type and the input that edits it, whether it is required, and the choices where
the field is the one the layer's style classifies (`style.property` + `style.categories`).
The id field is shown but not edited (the store makes ids); the fields receiving a
placement's precisione and fonte_posizione are filled by the placement form instead.
"""

from __future__ import annotations

from app.registry.precision import PLACEMENT, PRECISION
from app.registry.spec import FieldSpec, LayerSpec

#: The input that edits each field type, and its `step` for numbers.
INPUTS = {
    "string": ("text", None),
    "integer": ("number", "1"),
    "number": ("number", "any"),
    "boolean": ("checkbox", None),
    "date": ("date", None),
}
#: Longer text gets a textarea (descriptions, sources, status histories).
LONG_TEXT = frozenset({"descrizione", "fonte", "fonti", "storia_stato", "note"})


def _label(text, lang: str) -> str:
    return getattr(text, lang, None) or text.it


def _choices(spec: LayerSpec, field: FieldSpec, lang: str) -> list[dict] | None:
    if spec.style.property != field.name or not spec.style.categories:
        return None
    return [{"value": c.value, "label": _label(c.label, lang)} for c in spec.style.categories]


def _managed(spec: LayerSpec, field: FieldSpec) -> str | None:
    """Who sets the field instead of the form: "id" or "placement"."""
    if field.name == spec.id_field:
        return "id"
    if field.name in (spec.editing.precision_field, spec.editing.position_source_field):
        return "placement"
    return None


def form_fields(spec: LayerSpec, lang: str) -> list[dict]:
    """The layer's fields as the editor's form shows them."""
    out = []
    for field in spec.fields:
        kind, step = INPUTS[field.type]
        choices = _choices(spec, field, lang)
        if choices:
            kind = "select"
        elif field.type == "string" and field.name in LONG_TEXT:
            kind = "textarea"
        out.append(
            {
                "name": field.name,
                "label": _label(field.label, lang),
                "type": field.type,
                "input": kind,
                "step": step,
                "required": field.required,
                "choices": choices,
                "managed": _managed(spec, field),
            }
        )
    return out


def precisions(lang: str) -> list[dict]:
    """The values a placement's precisione may take (app/registry/precision.py), labelled."""
    return [
        {"value": p, "label": f"{p}: {PRECISION[p][1 if lang == 'en' else 0]}"} for p in PLACEMENT
    ]
