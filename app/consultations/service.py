"""The rules of consultations, over the store: open one on a draft version of a layer (or
on a map), edit it, close it; take citizens' comments during its window; read its draft;
count and export the results for the council.

A comment is a contribution (kind `commento`, target `consultazione/<id>`): the same checks
(model.parse_submission), rate limits, moderation queue, privacy and follow link as every
contribution. It may be placed on the map and may name a feature of the draft.
"""

from __future__ import annotations

import datetime as dt
import re
import secrets

from app.contributions import outbox
from app.contributions import service as contributions
from app.contributions.mail import received_letter
from app.contributions.model import bad, parse_submission, plain
from app.errors import ConsultationClosed, FeatureNotFound, LayerNotFound
from app.services import Services
from app.stores.base import Query
from app.stores.catalog_contributions import stamp
from app.stores.consultations import TARGET_LAYER, Consultation
from app.stores.contributions import Contribution, NewContribution

ID = re.compile(r"[a-z0-9][a-z0-9-]{0,59}")
MAX_TITLE = 200
MAX_DESCRIPTION = 5000
DRAFT_LIMIT = 5000  # features of a draft drawn on the consultation's map


def parse_when(raw, field: str, *, end: bool = False) -> str:
    """An ISO date or date-time as a stored time (UTC). A date alone is the start of that
    day, or for an end date the end of it (the window includes the end date)."""
    if isinstance(raw, dt.datetime):
        when = raw
    else:
        text = str(raw or "").strip()
        try:
            if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
                day = dt.date.fromisoformat(text) + dt.timedelta(days=1 if end else 0)
                when = dt.datetime.combine(day, dt.time(), dt.UTC)
            else:
                when = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            raise bad(field, "data non valida (AAAA-MM-GG)", "invalid date (YYYY-MM-DD)") from None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return stamp(when.astimezone(dt.UTC))


def draft_version(svc: Services, layer_id: str, version) -> int:
    """The version, checked: a stored draft (staged, never published) of the layer."""
    try:
        versions = svc.store.versions(layer_id)
    except LayerNotFound:
        raise bad("layer", "layer inesistente", "no such layer") from None
    try:
        number = int(version)
    except (TypeError, ValueError):
        raise bad("version", "versione non valida", "invalid version") from None
    found = next((v for v in versions if v.version == number), None)
    if found is None or found.status != "draft":
        raise bad(
            "version",
            "la versione deve essere una bozza non pubblicata del layer",
            "the version must be an unpublished draft of the layer",
        )
    return number


def create(svc: Services, user: str, fields: dict) -> Consultation:
    """A new consultation from form-like fields: id, title_it, title_en, description_it,
    description_en, layer and version (or map), opens (default now), ends."""
    cid = str(fields.get("id") or "").strip()
    if not ID.fullmatch(cid):
        raise bad("id", "identificativo: minuscole, cifre e trattini", "id: a-z, 0-9 and -")
    layer, version, map_id = fields.get("layer") or None, None, fields.get("map") or None
    if bool(layer) == bool(map_id):
        raise bad("layer", "indica un layer in bozza oppure una mappa", "give a draft or a map")
    if layer:
        version = draft_version(svc, layer, fields.get("version"))
    else:
        from app.maps.views import map_store

        try:
            map_store().get(map_id)
        except Exception:  # noqa: BLE001 (MapNotFound, a broken file)
            raise bad("map", "mappa inesistente", "no such map") from None
    texts = _texts(fields, required=True)
    opens = parse_when(fields.get("opens") or dt.datetime.now(dt.UTC), "opens")
    ends = parse_when(fields.get("ends"), "ends", end=True)
    _check_window(opens, ends)
    at = stamp()
    return svc.store.consultation_add(
        Consultation(
            id=cid,
            **texts,
            layer_id=layer,
            version=version,
            map_id=map_id,
            opens_at=opens,
            ends_at=ends,
            closed_at=None,
            created_at=at,
            created_by=user,
            updated_at=at,
        )  # fmt: skip
    )


def _texts(fields: dict, required: bool) -> dict:
    out = {
        "title_it": plain(fields.get("title_it"), "title_it", MAX_TITLE, required=required),
        "title_en": plain(fields.get("title_en"), "title_en", MAX_TITLE),
        "description_it": plain(
            fields.get("description_it"), "description_it", MAX_DESCRIPTION, required=required
        ),
        "description_en": plain(fields.get("description_en"), "description_en", MAX_DESCRIPTION),
    }
    return out


def _check_window(opens: str, ends: str) -> None:
    if ends <= opens:
        raise bad("ends", "la fine deve seguire l'apertura", "the end must follow the opening")


def edit(svc: Services, cid: str, user: str, fields: dict) -> Consultation:
    """Change the texts and dates (a closed consultation can be reopened only by its dates:
    an early close stays)."""
    current = svc.store.consultation(cid)
    changes = {
        k: v for k, v in _texts(fields, required=False).items() if k in fields and v is not None
    }
    for k in ("title_en", "description_en"):  # the English texts may be emptied
        if k in fields and not fields[k]:
            changes[k] = None
    if fields.get("opens"):
        changes["opens_at"] = parse_when(fields["opens"], "opens")
    if fields.get("ends"):
        changes["ends_at"] = parse_when(fields["ends"], "ends", end=True)
    _check_window(
        changes.get("opens_at", current.opens_at), changes.get("ends_at", current.ends_at)
    )
    return svc.store.consultation_update(cid, user, changes)


def close(svc: Services, cid: str, user: str) -> Consultation:
    current = svc.store.consultation(cid)
    if current.closed_at is not None:
        return current
    return svc.store.consultation_update(cid, user, {"closed_at": stamp()})


def is_open(c: Consultation) -> bool:
    return c.is_open(stamp())


def window_days(c: Consultation) -> tuple[str, str]:
    """(first day, last day) of the window, as dates (UTC). An end at midnight closes the
    day before, which is the last day (an end date alone includes that day)."""
    end = dt.datetime.fromisoformat(c.ends_at)
    if end.time() == dt.time():
        end -= dt.timedelta(days=1)
    return c.opens_at[:10], end.date().isoformat()


# -- the draft -----------------------------------------------------------------------


def draft_spec(svc: Services, c: Consultation):
    """The spec of the consulted draft version (its own, as staged)."""
    info = next(v for v in svc.store.versions(c.layer_id) if v.version == c.version)
    return info.spec


def draft_features(svc: Services, c: Consultation) -> list:
    """The draft's features (read from its version, never from the served one)."""
    if c.layer_id is None:
        return []
    spec = draft_spec(svc, c)
    return svc.store.query(spec, Query(limit=DRAFT_LIMIT), version=c.version).features


def feature_label(spec, feature) -> str:
    title = spec.title_field and feature.properties.get(spec.title_field)
    return str(title or feature.id)


# -- comments ------------------------------------------------------------------------


def comment(
    svc: Services,
    cid: str,
    body,
    address: str,
    secret,
    language: str = "it",
    follow_url=None,
) -> tuple[Contribution, str]:
    """A citizen's comment on a consultation: the contribution's checks, the feature named
    (a feature of the draft), stored for moderation with, when they left an e-mail and mail
    is on, the acknowledgement (`follow_url(token)`), as a contribution; (it, the token)."""
    c = svc.store.consultation(cid)
    if not isinstance(body, dict):
        raise bad("body", "serve un oggetto JSON", "send a JSON object")
    body = dict(body)
    feature = body.pop("feature", None)
    body.pop("kind", None)
    body.pop("target", None)
    body |= {"target": {"layer": TARGET_LAYER, "id": c.id}, "kind": "commento"}
    from app.organisation import organisation

    sub = parse_submission(body, organisation().area.extent)
    if not is_open(c):  # checked again in the store's transaction
        raise ConsultationClosed(
            "La consultazione non è aperta: i commenti non sono accettati. "
            "/ The consultation is not open: comments are not accepted."
        )
    feature_id = _feature(svc, c, feature)
    token = secrets.token_urlsafe(16)
    lon, lat = sub.location if sub.location else (None, None)
    new = NewContribution(
        id=f"c{secrets.token_hex(6)}",
        kind="commento",
        target_layer=TARGET_LAYER,
        target_id=c.id,
        quartiere=None,
        text=sub.text,
        name=sub.name,
        lon=lon,
        lat=lat,
        state=contributions.participation().states[0].id,
        follow_digest=contributions.follow_digest(token),
        email=sub.email,
        rate_key=contributions.rate_key(address, secret),
        language=language,
    )
    compose = received_letter(svc.settings, follow_url(token)) if follow_url else None
    stored = svc.store.consultation_comment_add(
        c.id, feature_id, new, contributions.limits(svc.settings), compose
    )
    if compose is not None and sub.email:
        outbox.kick(svc.store, svc.settings)
    contributions.purge_now_and_then(svc)
    return stored, token


def _feature(svc: Services, c: Consultation, raw) -> str | None:
    if raw in (None, ""):
        return None
    if not isinstance(raw, str | int) or isinstance(raw, bool) or len(str(raw)) > 100:
        raise bad("feature", "elemento non valido", "invalid feature")
    if c.layer_id is None:
        raise bad("feature", "questa consultazione non ha elementi", "no features here")
    try:
        found = svc.store.get(draft_spec(svc, c), str(raw).strip(), version=c.version)
    except (FeatureNotFound, LayerNotFound):
        raise bad("feature", "elemento inesistente nella bozza", "no such feature") from None
    return str(found.id)
