"""The citizens' side of consultations: /consultazioni (the list), /consultazioni/<id> (the
description, the dates, the draft on a map, the approved comments, the comment form), the
draft's features as GeoJSON (read-only, only while the consultation exists), and the
comment by form or JSON API. The form's protections are the contributions' (signed token,
honeypot, minimum fill time, same-site check); a comment outside the window is a 409.
"""

from __future__ import annotations

from flask import Blueprint, current_app, jsonify, render_template, request

from app.consultations import service
from app.contributions import views as contribution_views
from app.contributions.model import bad
from app.errors import ConsultationClosed, InvalidParameter
from app.i18n import current_language
from app.services import services
from app.stores.consultations import TARGET_LAYER

bp = Blueprint("consultations", __name__)
PAGE = 20


def _draft_geojson(svc, c) -> dict:
    if c.layer_id is None:
        return {"type": "FeatureCollection", "features": []}
    spec = service.draft_spec(svc, c)
    return {
        "type": "FeatureCollection",
        "features": [
            {
                "type": "Feature",
                "id": f.id,
                "geometry": f.geometry,
                "properties": {
                    "role": "area",
                    "id": str(f.id),
                    "label": service.feature_label(spec, f),
                },
            }
            for f in service.draft_features(svc, c)
        ],
    }


@bp.get("/consultazioni")
def index():
    items = services().store.consultations()
    return render_template(
        "consultations/index.html",
        items=items,
        is_open=service.is_open,
        window_days=service.window_days,
        lang=current_language(),
    )


@bp.get("/consultazioni/<cid>")
def detail(cid: str):
    svc = services()
    c = svc.store.consultation(cid)
    try:
        number = max(1, int(request.args.get("cp", "1")))
    except ValueError:
        number = 1
    page = svc.store.contributions(
        target_layer=TARGET_LAYER, target_id=c.id, limit=PAGE, offset=(number - 1) * PAGE
    )
    draft = _draft_geojson(svc, c)
    named = svc.store.consultation_comment_features(c.id)
    labels = {f["properties"]["id"]: f["properties"]["label"] for f in draft["features"]}
    return render_template(
        "consultations/detail.html",
        c=c,
        open=service.is_open(c),
        window_days=service.window_days,
        draft=draft,
        draft_title=service.draft_spec(svc, c).title.get(current_language()) if c.layer_id else "",
        labels=labels,
        named=named,
        page=page,
        number=number,
        pages=max(1, -(-page.total // PAGE)),
        form_token=contribution_views.form_token(),
        honeypot=contribution_views.HONEYPOT,
    )


@bp.get("/consultazioni/<cid>/bozza.geojson")
def draft(cid: str):
    """The consulted draft's features, read-only, for as long as the consultation exists."""
    svc = services()
    response = jsonify(_draft_geojson(svc, svc.store.consultation(cid)))
    response.mimetype = "application/geo+json"
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Robots-Tag"] = "noindex"
    return response


def _form_body(form) -> dict:
    body = contribution_views.form_body(form)
    return body | {"feature": form.get("feature") or None}


@bp.post("/consultazioni/<cid>/commenta")
def comment_form(cid: str):
    svc = services()
    form = request.form
    try:
        contribution_views.check_form(form)
        stored, token = service.comment(
            svc,
            cid,
            _form_body(form),
            request.remote_addr or "",
            current_app.secret_key,
            current_language(),
            contribution_views.follow_url,
        )
    except (InvalidParameter, ConsultationClosed) as exc:
        page = render_template(
            "contributions/refused.html", detail=exc.detail, text=form.get("text", "")
        )
        return page, exc.status
    return render_template(
        "contributions/sent.html", c=stored, follow=contribution_views.follow_url(token)
    )


@bp.post("/api/consultazioni/<cid>/commenti")
def comment_api(cid: str):
    if not request.is_json:
        raise InvalidParameter(
            "Invia JSON (Content-Type: application/json). / Send JSON.", "Content-Type"
        )
    body = request.get_json(silent=True)
    if body is None:
        raise bad("body", "JSON non valido", "invalid JSON")
    stored, token = service.comment(
        services(),
        cid,
        body,
        request.remote_addr or "",
        current_app.secret_key,
        current_language(),
        contribution_views.follow_url,
    )
    response = jsonify(
        {
            "id": stored.id,
            "status": stored.status,
            "follow": contribution_views.follow_url(token),
        }
    )
    response.status_code = 202
    response.headers["Cache-Control"] = "no-store"
    return response
