"""The citizens' side: the form on the public pages, the JSON API, the private follow page,
flags. Thin: the rules are in service.py, the checks of what is sent in model.py.

The HTML form has no session and sets no cookie (public pages stay cacheable): it carries a
signed form token (made when the page is, checked for its signature, its age at least
CONTRIBUTION_MIN_FILL_SECONDS and at most a day), a honeypot field that people never see,
and the browser's Origin / Sec-Fetch-Site must be this site (the CSRF check of a form
without a session). The JSON API needs `Content-Type: application/json` (a cross-site page
cannot send that without a CORS preflight, which this API does not grant) and has the
same rate limits.

A segnalazione may carry one photo (the form's file `photo`, the API's base64 `photo`):
these two endpoints declare a body allowance of CONTRIBUTION_PHOTO_MAX_MB (plus base64's
third) above MAX_PUBLIC_BODY_KB. The photo is served re-encoded, to the public only with
its approved contribution, to its citizen under the follow link, to moderators in the admin.
"""

from __future__ import annotations

import hashlib
import time
from urllib.parse import urlsplit

from flask import Blueprint, current_app, jsonify, render_template, request, url_for
from itsdangerous import BadSignature, URLSafeTimedSerializer
from markupsafe import Markup

from app.contributions import photo as photos
from app.contributions import service
from app.contributions.model import bad, parse_flag_reason, parse_submission
from app.contributions.open_data import download_links
from app.errors import Forbidden, InvalidParameter, NotFound
from app.i18n import current_language
from app.organisation import organisation
from app.security import BodyAllowance, allow_body
from app.services import services
from app.stores.contributions import KINDS, Photo

bp = Blueprint("contributions", __name__)
FORM_SALT = "contribution-form"
FORM_MAX_AGE = 86_400
HONEYPOT = "website"
PAGE = 10
API_PAGE, API_MAX = 50, 200


#: The contribution endpoints take a photo: its limit and base64's third above the public one.
PHOTO_BODY = BodyAllowance(
    size=lambda s: s["MAX_PUBLIC_BODY_KB"] * 1024 + s["CONTRIBUTION_PHOTO_MAX_MB"] * 2**20 * 4 // 3,
    refusal=lambda s: photos.too_large(s["CONTRIBUTION_PHOTO_MAX_MB"]),
)
PHOTO_CACHE_SECONDS = 300  # short: a moderator may hide it later


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt=FORM_SALT)


def form_token() -> str:
    return _serializer().dumps({"at": int(time.time())})


def _check_form(form) -> None:
    """The refusals of the HTML form: cross-site, honeypot, token, too quick."""
    site = request.headers.get("Sec-Fetch-Site")
    origin = request.headers.get("Origin")
    if site == "cross-site" or (origin and urlsplit(origin).netloc != request.host):
        raise Forbidden("Modulo inviato da un altro sito. / Form sent from another site.")
    if form.get(HONEYPOT):
        raise bad(HONEYPOT, "modulo non accettato", "form not accepted")
    try:
        _, issued = _serializer().loads(
            form.get("form_token", ""), max_age=FORM_MAX_AGE, return_timestamp=True
        )
    except BadSignature:
        raise bad(
            "form_token",
            "il modulo è scaduto: ricarica la pagina",
            "the form expired: reload the page",
        ) from None
    waited = time.time() - issued.timestamp()
    if waited < services().settings["CONTRIBUTION_MIN_FILL_SECONDS"]:
        raise bad("form_token", "modulo inviato troppo in fretta", "form sent too quickly")


def _number(raw: str | None, field: str):
    if raw in (None, ""):
        return None
    try:
        return float(raw.replace(",", "."))
    except ValueError:
        raise bad(field, "numero non valido", "not a number") from None


def _form_body(form) -> dict:
    """The form's fields as the JSON API's body."""
    target: dict = {}
    if form.get("target_quartiere"):
        target["quartiere"] = form.get("target_quartiere")
    else:
        target = {"layer": form.get("target_layer"), "id": form.get("target_id")}
    lon, lat = _number(form.get("lon"), "lon"), _number(form.get("lat"), "lat")
    if (lon is None) != (lat is None):
        raise bad("location", "servono longitudine e latitudine", "send both lon and lat")
    return {
        "target": target,
        "kind": form.get("kind"),
        "text": form.get("text"),
        "location": None if lon is None else [lon, lat],
        "name": form.get("name") or None,
        "email": form.get("email") or None,
        "consent": form.get("consent") == "si",
    }


def _follow_url(token: str) -> str:
    return url_for("contributions.follow", token=token, _external=True)


def _extent():
    return organisation().area.extent


def _photo_limit() -> int:
    return services().settings["CONTRIBUTION_PHOTO_MAX_MB"]


def _form_photo() -> bytes | None:
    """The form's file `photo` (read at most one byte past the limit), None if none."""
    upload = request.files.get("photo")
    if upload is None:
        return None
    data = upload.stream.read(_photo_limit() * 2**20 + 1)
    return data or None


@bp.post("/partecipa")
@allow_body(PHOTO_BODY)
def submit_form():
    form = request.form
    try:
        _check_form(form)
        body = _form_body(form) | {"photo": _form_photo()}
        sub = parse_submission(body, _extent(), _photo_limit())
    except InvalidParameter as exc:
        page = render_template(
            "contributions/refused.html", detail=exc.detail, text=form.get("text", "")
        )
        return page, exc.status
    stored, token = service.submit(
        services(),
        sub,
        request.remote_addr or "",
        current_app.secret_key,
        current_language(),
        _follow_url,
    )
    return render_template("contributions/sent.html", c=stored, follow=_follow_url(token))


@bp.post("/api/contributions")
@allow_body(PHOTO_BODY)
def submit_api():
    if not request.is_json:
        raise InvalidParameter(
            "Invia JSON (Content-Type: application/json). / Send JSON.", "Content-Type"
        )
    body = request.get_json(silent=True)
    if body is None:
        raise bad("body", "JSON non valido", "invalid JSON")
    sub = parse_submission(body, _extent(), _photo_limit())
    stored, token = service.submit(
        services(),
        sub,
        request.remote_addr or "",
        current_app.secret_key,
        current_language(),
        _follow_url,
    )
    response = jsonify({"id": stored.id, "status": stored.status, "follow": _follow_url(token)})
    response.status_code = 202
    response.headers["Cache-Control"] = "no-store"
    return response


def _int_arg(name: str, default: int, least: int, most: int | None = None) -> int:
    raw = request.args.get(name)
    if raw in (None, ""):
        return default
    try:
        value = int(raw)
    except ValueError:
        raise bad(name, "numero intero non valido", "not an integer") from None
    if value < least or (most is not None and value > most):
        raise bad(name, "valore fuori intervallo", "value out of range")
    return value


@bp.get("/api/contributions")
def list_api():
    """Approved contributions only, paged; no personal data."""
    args = request.args
    kind = args.get("kind") or None
    if kind is not None and kind not in KINDS:
        raise bad("kind", f"uno di {', '.join(KINDS)}", f"one of {', '.join(KINDS)}")
    if args.get("id") and not args.get("layer"):
        raise bad("layer", "con id serve layer", "id needs layer")
    quartiere = _int_arg("quartiere", 0, 0) or None
    limit = _int_arg("limit", API_PAGE, 1, API_MAX)
    offset = _int_arg("offset", 0, 0)
    page = services().store.contributions(
        target_layer=args.get("layer") or None,
        target_id=args.get("id") or None,
        quartiere=quartiere,
        kind=kind,
        limit=limit,
        offset=offset,
    )
    lang = current_language()
    body = {
        "numberMatched": page.total,
        "numberReturned": len(page.items),
        "contributions": [service.public_json(c, lang) for c in page.items],
        "links": [],
    }
    if offset + limit < page.total:
        query = {k: v for k, v in args.items() if k != "offset"} | {"offset": offset + limit}
        body["links"].append(
            {"rel": "next", "href": url_for("contributions.list_api", _external=True, **query)}
        )
    return jsonify(body)


@bp.get("/partecipa/privacy")
def privacy():
    return render_template("contributions/privacy.html")


@bp.get("/partecipa/segui/<token>")
def follow(token: str):
    c = service.followed(services(), token)
    spec = service.participation()
    response = current_app.make_response(
        render_template(
            "contributions/follow.html",
            c=c,
            token=token,
            state=spec.state(c.state),
            office=spec.office(c.office),
        )
    )
    # A private page: never cached, never indexed, its address never sent on as a Referer.
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def photo_response(found: Photo, name: str, *, private: bool):
    """A stored photo as a response: inline JPEG, never sniffed; private ones never cached
    nor indexed, public ones cached briefly with an ETag (a moderator may remove it)."""
    response = current_app.response_class(found.content, mimetype=found.media_type)
    response.headers["Content-Disposition"] = f'inline; filename="{name}.jpg"'
    response.headers["X-Content-Type-Options"] = "nosniff"
    if private:
        response.headers["Cache-Control"] = "no-store"
        response.headers["X-Robots-Tag"] = "noindex"
        response.headers["Referrer-Policy"] = "no-referrer"
        return response
    response.set_etag(hashlib.sha256(found.content).hexdigest()[:32])
    response.headers["Cache-Control"] = f"public, max-age={PHOTO_CACHE_SECONDS}"
    return response.make_conditional(request)


def small_photo() -> bool:
    """`?size=small`: the photo's small version (lists); absent: the photo itself."""
    size = request.args.get("size")
    if size not in (None, "small"):
        raise bad("size", "size: solo «small»", "size: only 'small'")
    return size == "small"


@bp.get("/partecipa/foto/<cid>.jpg")
def photo(cid: str):
    """The photo of an approved segnalazione (404 otherwise)."""
    found = service.public_photo(services(), cid, small_photo())
    return photo_response(found, f"segnalazione-{cid}", private=False)


@bp.get("/partecipa/segui/<token>/foto.jpg")
def follow_photo(token: str):
    """The citizen's own photo, whatever its moderation status, under the private link."""
    c = service.followed(services(), token)
    found = services().store.contribution_photo(c.id, small_photo())
    if found is None:
        raise NotFound("Nessuna foto. / No photo.")
    return photo_response(found, f"segnalazione-{c.id}", private=True)


@bp.post("/api/contributions/<cid>/flag")
def flag_api(cid: str):
    body = request.get_json(silent=True) if request.is_json else None
    if not isinstance(body, dict):
        raise bad("reason", 'invia {"reason": ...}', 'send {"reason": ...}')
    reason = parse_flag_reason(body.get("reason"))
    service.flag(services(), cid, reason, request.remote_addr or "", current_app.secret_key)
    return jsonify({"id": cid, "flagged": True}), 202


@bp.post("/partecipa/<cid>/segnala")
def flag_form(cid: str):
    _check_form(request.form)
    reason = parse_flag_reason(request.form.get("reason"))
    service.flag(services(), cid, reason, request.remote_addr or "", current_app.secret_key)
    return render_template("contributions/flagged.html")


def panel(*, layer: str | None = None, feature_id=None, quartiere: int | None = None) -> Markup:
    """The contributions' section of a public page: the approved ones (paged by `?cp=`),
    the per-kind and state counts of a quartiere, and the form."""
    spec = organisation().participation
    if spec is None:
        return Markup("")
    store = services().store
    try:
        number = max(1, int(request.args.get("cp", "1")))
    except ValueError:
        number = 1
    if layer is not None:
        page = store.contributions(
            target_layer=layer, target_id=str(feature_id), limit=PAGE, offset=(number - 1) * PAGE
        )
    else:
        page = store.contributions(quartiere=quartiere, limit=PAGE, offset=(number - 1) * PAGE)
    counts = store.contribution_counts(quartiere) if layer is None and quartiere else {}
    kinds = ("commento", "segnalazione", "proposta") if layer else ("segnalazione", "proposta")
    return Markup(
        render_template(
            "contributions/_panel.html",
            page=page,
            number=number,
            pages=max(1, -(-page.total // PAGE)),
            counts=counts,
            states=spec.states,
            state_of=spec.state,
            office_of=spec.office,
            kinds=kinds,
            target={"layer": layer, "id": feature_id, "quartiere": quartiere},
            form_token=form_token(),
            honeypot=HONEYPOT,
            downloads=download_links(quartiere) if layer is None and quartiere else [],
        )
    )


# The form's checks and helpers, shared with the consultations' comment form.
check_form = _check_form
form_body = _form_body
follow_url = _follow_url
