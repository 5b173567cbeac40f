"""The metadata and style form of a served layer, validated by LayerSpec like the layer files.

The form edits a copy of the served spec (`model_dump`), LayerSpec validates the result, and
each error is shown next to its field; nothing is saved unless the whole spec is valid.
Fields, id and geometry never change here (the store refuses that): a new import does it.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from pydantic import ValidationError
from werkzeug.datastructures import MultiDict

from app.admin.auth import current_user, login_required
from app.admin.publishing import bp
from app.admin.publishing.service import served_spec
from app.i18n import gettext
from app.registry.spec import LayerSpec
from app.services import services

#: Blank category rows offered below the existing ones.
BLANK_ROWS = 3
#: Form field of each spec location the form edits (the error goes next to it).
_LOCATIONS = {
    ("title", "it"): "title_it",
    ("title", "en"): "title_en",
    ("metadata", "abstract", "it"): "abstract_it",
    ("metadata", "abstract", "en"): "abstract_en",
    ("metadata", "owner"): "owner",
    ("metadata", "licence"): "licence",
    ("metadata", "attribution"): "attribution",
    ("metadata", "lineage", "it"): "lineage_it",
    ("metadata", "lineage", "en"): "lineage_en",
    ("metadata", "updated"): "updated",
    ("metadata", "keywords"): "keywords",
    ("metadata", "source_crs"): "source_crs",
    ("style", "color"): "color",
    ("style", "fill_color"): "fill_color",
    ("style", "opacity"): "opacity",
    ("style", "fill_opacity"): "fill_opacity",
    ("style", "weight"): "weight",
    ("style", "radius"): "radius",
    ("style", "property"): "property",
    ("style",): "property",
    ("popup",): "popup",
    ("title_field",): "title_field",
}
#: Cross-field errors of LayerSpec (no location): a word of the message -> the form field.
_MESSAGES = (("popup", "popup"), ("title_field", "title_field"), ("style.property", "property"))


def _text(it: str, en: str) -> dict | None:
    it, en = it.strip(), en.strip()
    if not it and not en:
        return None
    return {"it": it, "en": en or None}


def _opt(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


def _typed(value: str, kind: str):
    """A category value as the field's type (so 1 matches 1, not only "1")."""
    try:
        if kind == "integer":
            return int(value)
        if kind == "number":
            return float(value)
    except ValueError:
        return value
    if kind == "boolean" and value.lower() in {"true", "false"}:
        return value.lower() == "true"
    return value


def _categories(form: MultiDict, spec: LayerSpec, prop: str | None) -> list[dict]:
    kind = spec.field(prop).type if prop and spec.field(prop) else "string"
    rows = zip(
        form.getlist("cat_value"),
        form.getlist("cat_color"),
        form.getlist("cat_label_it"),
        form.getlist("cat_label_en"),
        strict=False,
    )
    out = []
    for value, color, label_it, label_en in rows:
        if not value.strip() and not label_it.strip() and not label_en.strip():
            continue  # a blank row (its colour input always has a value)
        out.append(
            {
                "value": _typed(value.strip(), kind),
                "color": color.strip(),
                "label": _text(label_it, label_en) or {"it": value.strip()},
            }
        )
    return out


def apply_form(spec: LayerSpec, form: MultiDict) -> dict:
    """The served spec as a dict, with the form's values in place (not validated yet)."""
    data = spec.model_dump(mode="json")
    meta, style = data["metadata"], data["style"]
    data["title"] = _text(form.get("title_it", ""), form.get("title_en", ""))
    meta.update(
        abstract=_text(form.get("abstract_it", ""), form.get("abstract_en", "")),
        owner=form.get("owner", "").strip(),
        licence=form.get("licence", "").strip(),
        attribution=_opt(form.get("attribution")),
        lineage=_text(form.get("lineage_it", ""), form.get("lineage_en", "")),
        updated=form.get("updated", "").strip() or None,
        keywords=[k.strip() for k in form.get("keywords", "").split(",") if k.strip()],
        source_crs=_opt(form.get("source_crs")),
    )
    prop = _opt(form.get("property"))
    style.update(
        color=form.get("color", "").strip(),
        fill_color=_opt(form.get("fill_color")) if form.get("fill_same") != "1" else None,
        opacity=form.get("opacity", "").strip(),
        fill_opacity=form.get("fill_opacity", "").strip(),
        weight=form.get("weight", "").strip(),
        radius=form.get("radius", "").strip(),
        property=prop,
        categories=_categories(form, spec, prop),
    )
    data["popup"] = form.getlist("popup")
    data["title_field"] = _opt(form.get("title_field"))
    return data


def field_errors(exc: ValidationError) -> dict[str, list[str]]:
    """Pydantic's errors keyed by the form field they belong to ('' for the whole form)."""
    out: dict[str, list[str]] = {}
    for err in exc.errors():
        loc = tuple(err["loc"])
        name = _LOCATIONS.get(loc) or _LOCATIONS.get(loc[:-1], "")
        if loc[:2] == ("style", "categories") and len(loc) > 2:
            name = f"cat_{loc[2]}"
        if not name and loc[:1] in {("title",), ("metadata",)} and len(loc) == 2:
            name = _LOCATIONS.get((*loc, "it"), "")  # a missing bilingual text
        if not loc:  # LayerSpec's cross-field checks name the field in their message
            name = next((f for key, f in _MESSAGES if key in err["msg"]), "")
        message = err["msg"].removeprefix("Value error, ")
        out.setdefault(name, []).append(message)
    return out


def validate(spec: LayerSpec, form: MultiDict) -> tuple[LayerSpec | None, dict, dict]:
    """(new spec or None, the edited data for the form, errors by field)."""
    data = apply_form(spec, form)
    try:
        return LayerSpec.model_validate(data), data, {}
    except ValidationError as exc:
        return None, data, field_errors(exc)


def _page(layer_id: str, spec: LayerSpec, data: dict, errors: dict, status: int = 200):
    blank = {"value": "", "color": "#1f5fa8", "label": {"it": "", "en": None}}
    categories = list(data["style"]["categories"]) + [blank] * BLANK_ROWS
    page = render_template(
        "admin/publishing/edit.html",
        layer_id=layer_id,
        spec=spec,
        data=data,
        categories=categories,
        errors=errors,
    )
    return page, status


@bp.route("/layers/<layer_id>/edit", methods=["GET", "POST"])
@login_required
def edit(layer_id: str):
    """Metadata and style of the served version; saved only when LayerSpec accepts them."""
    store = services().store
    spec = served_spec(store, layer_id)
    if request.method == "GET":
        return _page(layer_id, spec, spec.model_dump(mode="json"), {})
    new, data, errors = validate(spec, request.form)
    if new is None:
        return _page(layer_id, spec, data, errors, 422)
    store.update_spec(layer_id, new, current_user().username)
    flash(gettext("Metadati e stile di {layer} salvati.").format(layer=layer_id))
    return redirect(url_for(".versions", layer_id=layer_id))
