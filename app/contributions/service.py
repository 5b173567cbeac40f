"""The rules of citizens' contributions, over the store: submit, follow, moderate, flag,
forget, purge. Views, the admin and the CLI call these; the store keeps the data.

Moderation first: a contribution is stored `in_moderazione` and only `approvato` ones are
ever public. Moderation statuses and follow-up states are separate: the status says whether
the public sees it; the state (configured in the organisation file, with a fixed type) says
what the council does about it, and is what the citizen follows on the private link.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable

from app.contributions import outbox
from app.contributions.mail import moderated_letter, received_letter
from app.contributions.model import (
    MAX_ANSWER,
    MAX_REASON,
    Submission,
    Target,
    bad,
    plain,
)
from app.errors import FeatureNotFound, LayerNotFound, NotFound
from app.organisation import ParticipationSpec, organisation
from app.services import Services
from app.stores.catalog_contributions import stamp
from app.stores.contributions import Contribution, NewContribution, Photo, RateLimits

PURGE_EVERY_SECONDS = 600
_purged: dict[int, float] = {}
_purge_lock = threading.Lock()


def participation() -> ParticipationSpec:
    spec = organisation().participation
    if spec is None:
        raise NotFound("Questo geoportale non raccoglie contributi. / No contributions here.")
    return spec


def rate_key(address: str, secret: bytes | str) -> str:
    """The client address as the store keeps it: a keyed digest (the address is not kept)."""
    key = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(key, f"addr:{address}".encode(), hashlib.sha256).hexdigest()[:32]


def follow_digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def limits(settings: dict) -> RateLimits:
    return RateLimits(
        per_address=settings["CONTRIBUTION_RATE"],
        per_target=settings["CONTRIBUTION_TARGET_RATE"],
        window_seconds=settings["CONTRIBUTION_RATE_MINUTES"] * 60,
    )


def resolve(svc: Services, target: Target, location) -> tuple[str | None, str | None, int | None]:
    """(layer, id, quartiere) of a target that exists; a 400 naming the field otherwise."""
    from app.quartieri.data import load_areas

    areas = load_areas(svc)
    if target.quartiere is not None:
        if areas.by_numero(target.quartiere) is None:
            raise bad("target.quartiere", "quartiere inesistente", "no such quartiere")
        return None, None, target.quartiere
    spec = svc.served_spec(target.layer)
    if spec is None:
        raise bad("target.layer", "layer non pubblicato", "no such published layer")
    try:
        feature = svc.store.get(spec, target.id)
    except (FeatureNotFound, LayerNotFound):
        raise bad("target.id", "elemento inesistente", "no such feature") from None
    point = None
    geometry = feature.geometry
    if geometry and geometry.get("type") == "Point":
        point = tuple(geometry["coordinates"][:2])
    q = areas.of_feature(feature.properties, location or point)
    return spec.id, str(feature.id), None if q is None else q.numero


def submit(
    svc: Services,
    sub: Submission,
    address: str,
    secret,
    language: str = "it",
    follow_url: Callable[[str], str] | None = None,
) -> tuple[Contribution, str]:
    """Store a contribution for moderation; (it, the private follow token). With an e-mail
    and mail on, the acknowledgement (with `follow_url(token)`) is queued with it."""
    states = participation().states
    layer, fid, quartiere = resolve(svc, sub.target, sub.location)
    token = secrets.token_urlsafe(16)  # 128 random bits: the private follow link
    lon, lat = sub.location if sub.location else (None, None)
    new = NewContribution(
        id=f"c{secrets.token_hex(6)}",
        kind=sub.kind,
        target_layer=layer,
        target_id=fid,
        quartiere=quartiere,
        text=sub.text,
        name=sub.name,
        lon=lon,
        lat=lat,
        state=states[0].id,
        follow_digest=follow_digest(token),
        email=sub.email,
        rate_key=rate_key(address, secret),
        language=language,
    )
    compose = received_letter(svc.settings, follow_url(token)) if follow_url else None
    stored = svc.store.contribution_add(new, limits(svc.settings), sub.photo, compose)
    if compose is not None and sub.email:
        outbox.kick(svc.store, svc.settings)
    purge_now_and_then(svc)
    return stored, token


def followed(svc: Services, token: str) -> Contribution:
    if not token or len(token) > 64:
        raise NotFound("Link non valido. / Invalid link.")
    found = svc.store.contribution_followed(follow_digest(token))
    if found is None:
        raise NotFound("Link non valido o contributo eliminato. / Invalid link.")
    return found


# -- moderation ----------------------------------------------------------------------


def _moderate(
    svc: Services, cid: str, user: str, action: str, changes: dict, expect: str | None = None
) -> Contribution:
    """A moderation step, with its message to the citizen queued in its transaction (if
    they left an e-mail and mail is on), then sent in the background. `expect`: only if the
    contribution is still in that moderation status (ContributionChanged otherwise)."""
    compose = moderated_letter(svc.settings, action)
    done = svc.store.contribution_moderate(cid, user, action, changes, compose, expect)
    if compose is not None:
        outbox.kick(svc.store, svc.settings)
    return done


def approve(svc: Services, cid: str, user: str, expect: str | None = None) -> Contribution:
    """Public from now on (also after a review: its flags are cleared)."""
    changes = {"status": "approvato", "reason": None, "flags": 0}
    return _moderate(svc, cid, user, "approve", changes, expect)


def reject(svc: Services, cid: str, user: str, reason, expect: str | None = None) -> Contribution:
    why = plain(reason, "reason", MAX_REASON, required=True)
    return _moderate(svc, cid, user, "reject", {"status": "rifiutato", "reason": why}, expect)


def hide(svc: Services, cid: str, user: str, reason, expect: str | None = None) -> Contribution:
    why = plain(reason, "reason", MAX_REASON, required=True)
    return svc.store.contribution_moderate(
        cid, user, "hide", {"status": "nascosto", "reason": why}, None, expect
    )


def duplicate(svc: Services, cid: str, user: str, of: str) -> Contribution:
    of = (of or "").strip()
    if of == cid:
        raise bad("duplicate_of", "non può essere duplicato di sé", "cannot duplicate itself")
    try:
        svc.store.contribution(of)
    except NotFound:
        raise bad("duplicate_of", "contributo inesistente", "no such contribution") from None
    return svc.store.contribution_moderate(
        cid, user, "duplicate", {"status": "duplicato", "duplicate_of": of}
    )


def answer(svc: Services, cid: str, user: str, text) -> Contribution:
    """The council's public answer (signed by the organisation, not by the moderator)."""
    body = plain(text, "answer", MAX_ANSWER, required=True)
    return _moderate(svc, cid, user, "answer", {"answer": body, "answered_at": stamp()[:19] + "Z"})


def assign(svc: Services, cid: str, user: str, office_id) -> Contribution:
    office = participation().office(office_id)
    if office is None or office.external:
        raise bad("office", "ufficio sconosciuto", "unknown office")
    return svc.store.contribution_moderate(cid, user, "assign", {"office": office.id})


def set_state(svc: Services, cid: str, user: str, state_id, office_id=None) -> Contribution:
    spec = participation()
    state = spec.state(state_id)
    if state is None:
        raise bad("state", "stato sconosciuto", "unknown state")
    changes: dict = {"state": state.id}
    if state.names_office:
        office = spec.office(office_id)
        if office is None:
            raise bad(
                "office",
                f"«{state.label.it}»: indica l'ufficio o l'ente competente",
                f"'{state.label.get('en')}': name the competent office or body",
            )
        changes["office"] = office.id
    elif office_id:
        office = spec.office(office_id)
        if office is None:
            raise bad("office", "ufficio sconosciuto", "unknown office")
        changes["office"] = office.id
    return _moderate(svc, cid, user, "state", changes)


def remove_photo(svc: Services, cid: str, user: str) -> bool:
    """A moderator deletes a contribution's photo; the contribution stays as it is."""
    return svc.store.contribution_photo_remove(cid, user)


def public_photo(svc: Services, cid: str, small: bool = False) -> Photo:
    """The photo of an approved contribution (or its small version); NotFound otherwise (in
    moderation, rejected, hidden, removed by a moderator, deleted, or never sent)."""
    c = svc.store.contribution(cid)
    found = svc.store.contribution_photo(cid, small) if c.public and c.has_photo else None
    if found is None:
        raise NotFound("Nessuna foto pubblica. / No public photo.")
    return found


def flag(svc: Services, cid: str, reason: str, address: str, secret) -> Contribution:
    return svc.store.contribution_flag(
        cid, reason, rate_key(address, secret), svc.settings["CONTRIBUTION_FLAGS_TO_HIDE"]
    )


# -- personal data -------------------------------------------------------------------


def retention_cutoff(settings: dict, now: dt.datetime | None = None) -> str:
    now = now or dt.datetime.now(dt.UTC)
    return stamp(now - dt.timedelta(days=settings["CONTRIBUTION_RETENTION_DAYS"]))


def purge(svc: Services, user: str = "sistema", now: dt.datetime | None = None) -> int:
    return svc.store.contributions_purge(retention_cutoff(svc.settings, now), user)


def purge_now_and_then(svc: Services) -> None:
    """The retention purge, at most every PURGE_EVERY_SECONDS per store in this process."""
    key, clock = id(svc.store), time.monotonic()
    with _purge_lock:
        if clock - _purged.get(key, -PURGE_EVERY_SECONDS) < PURGE_EVERY_SECONDS:
            return
        _purged[key] = clock
    purge(svc)


def forget(svc: Services, email: str, user: str) -> int:
    if not email or "@" not in email:
        raise bad("email", "indirizzo e-mail non valido", "invalid e-mail address")
    return svc.store.contributions_forget(email, user)


# -- what the public sees ------------------------------------------------------------


def photo_url(c: Contribution) -> str | None:
    """Where the public sees an approved contribution's photo (None: no photo)."""
    from flask import url_for

    if not (c.public and c.has_photo):
        return None
    return url_for("contributions.photo", cid=c.id, _external=True)


def public_json(c: Contribution, lang: str = "it") -> dict:
    """An approved contribution as the API and open data show it: no personal data."""
    spec = organisation().participation
    state = spec.state(c.state) if spec else None
    office = spec.office(c.office) if spec else None
    return {
        "id": c.id,
        "kind": c.kind,
        "target": (
            {"quartiere": c.quartiere}
            if c.target_layer is None
            else {"layer": c.target_layer, "id": c.target_id}
        ),
        "quartiere": c.quartiere,
        "text": c.text,
        "name": c.name,
        "location": None if c.lon is None else [c.lon, c.lat],
        "photo": photo_url(c),
        "created": c.created_at[:19] + "Z",
        "state": c.state,
        "state_type": state.type if state else None,
        "state_label": state.label.get(lang) if state else c.state,
        "office": office.name.get(lang) if office else None,
        "answer": (
            None
            if not c.answer
            else {"by": organisation().name.get(lang), "text": c.answer, "at": c.answered_at}
        ),
    }
