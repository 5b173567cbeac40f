"""What a citizen sends, checked: one place for the form and the JSON API.

Every refusal is an InvalidParameter naming the field (`parameter` of the 400 problem), in
Italian and English. Text is kept as plain text (control characters dropped, lines kept):
pages render it escaped, with no links made.
"""

from __future__ import annotations

import math
import re
import unicodedata
from dataclasses import dataclass

from app.contributions import photo
from app.errors import InvalidParameter
from app.stores.contributions import FLAG_REASONS, KINDS, Photo

MIN_TEXT = 10
MAX_TEXT = 2000
MAX_NAME = 80
MAX_EMAIL = 254
MAX_ANSWER = 4000
MAX_REASON = 500
EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")


@dataclass(frozen=True)
class Target:
    """What a contribution is about: a feature of a layer, or a quartiere."""

    layer: str | None = None
    id: str | None = None
    quartiere: int | None = None


@dataclass(frozen=True)
class Submission:
    target: Target
    kind: str
    text: str
    location: tuple[float, float] | None
    name: str | None
    email: str | None
    #: The photo of a segnalazione, already re-encoded (app/contributions/photo.py).
    photo: Photo | None = None


def bad(field: str, it: str, en: str) -> InvalidParameter:
    return InvalidParameter(f"{it} / {en}", field)


def plain(value, field: str, most: int, *, required: bool = False, least: int = 0) -> str | None:
    """A text field as plain text: NFC, control and bidi characters dropped, trimmed."""
    if value is None or value == "":
        if required:
            raise bad(field, f"il campo {field} è obbligatorio", f"{field} is required")
        return None
    if not isinstance(value, str):
        raise bad(field, f"il campo {field} deve essere un testo", f"{field} must be a string")
    text = _CONTROL.sub("", unicodedata.normalize("NFC", value)).replace("\r\n", "\n").strip()
    if len(text) > most:
        raise bad(
            field,
            f"il campo {field} supera {most} caratteri",
            f"{field} is longer than {most} characters",
        )
    if required and len(text) < max(1, least):
        raise bad(
            field,
            f"il campo {field} deve avere almeno {max(1, least)} caratteri",
            f"{field} needs at least {max(1, least)} characters",
        )
    return text or None


def parse_target(raw) -> Target:
    if not isinstance(raw, dict):
        raise bad(
            "target",
            'indica {"layer": ..., "id": ...} oppure {"quartiere": n}',
            'send {"layer": ..., "id": ...} or {"quartiere": n}',
        )
    if "quartiere" in raw and not ({"layer", "id"} & set(raw)):
        number = raw["quartiere"]
        if isinstance(number, bool) or not isinstance(number, int | str):
            raise bad(
                "target.quartiere", "numero di quartiere non valido", "invalid quartiere"
            ) from None
        try:
            return Target(quartiere=int(number))
        except ValueError:
            raise bad(
                "target.quartiere", "numero di quartiere non valido", "invalid quartiere"
            ) from None
    layer, fid = raw.get("layer"), raw.get("id")
    if not isinstance(layer, str) or not re.fullmatch(r"[a-z][a-z0-9_]{0,63}", layer):
        raise bad("target.layer", "layer non valido", "invalid layer")
    if not isinstance(fid, str | int) or isinstance(fid, bool) or not str(fid).strip():
        raise bad("target.id", "identificativo non valido", "invalid id")
    if len(str(fid)) > 100:
        raise bad("target.id", "identificativo troppo lungo", "id too long")
    return Target(layer=layer, id=str(fid).strip())


def parse_location(raw, extent) -> tuple[float, float] | None:
    """[lon, lat] in CRS84, inside the organisation's area."""
    if raw is None or raw == "" or raw == []:
        return None
    if (
        not isinstance(raw, list | tuple)
        or len(raw) != 2
        or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in raw)
        or not all(math.isfinite(v) for v in raw)
    ):
        raise bad("location", "posizione: [lon, lat] in gradi", "location: [lon, lat] in degrees")
    lon, lat = float(raw[0]), float(raw[1])
    x0, y0, x1, y1 = extent
    if not (x0 <= lon <= x1 and y0 <= lat <= y1):
        raise bad(
            "location",
            "la posizione è fuori dal territorio servito",
            "the location is outside the area this geoportal serves",
        )
    return (round(lon, 6), round(lat, 6))


def parse_submission(body, extent, photo_max_mb: int | None = None) -> Submission:
    """A submission from a JSON-like mapping; consent must be true.

    `photo`: base64 text (the JSON API) or bytes (the form's file), only on a segnalazione
    and only where `photo_max_mb` says photos are taken; checked and re-encoded last, once
    every other field is valid."""
    if not isinstance(body, dict):
        raise bad("body", "serve un oggetto JSON", "send a JSON object")
    known = {"target", "kind", "text", "location", "name", "email", "consent", "photo"}
    unknown = sorted(set(body) - known)
    if unknown:
        raise bad(unknown[0], f"campo sconosciuto {unknown[0]}", f"unknown field {unknown[0]}")
    if body.get("consent") is not True:
        raise bad(
            "consent",
            "serve il consenso al trattamento dei dati (leggi l'informativa)",
            "consent is required (read the privacy notice)",
        )
    target = parse_target(body.get("target"))
    kind = body.get("kind")
    if kind not in KINDS:
        raise bad("kind", f"tipo: uno di {', '.join(KINDS)}", f"kind: one of {', '.join(KINDS)}")
    text = plain(body.get("text"), "text", MAX_TEXT, required=True, least=MIN_TEXT)
    location = parse_location(body.get("location"), extent)
    if kind == "segnalazione" and location is None:
        raise bad(
            "location",
            "una segnalazione ha bisogno di un punto sulla mappa",
            "a segnalazione needs a point on the map",
        )
    if kind == "commento" and target.layer is None:
        raise bad(
            "kind",
            "un commento riguarda un intervento o un elemento della mappa",
            "a commento is about an intervention or a map feature",
        )
    name = plain(body.get("name"), "name", MAX_NAME)
    email = plain(body.get("email"), "email", MAX_EMAIL)
    if email is not None and not EMAIL.match(email):
        raise bad("email", "indirizzo e-mail non valido", "invalid e-mail address")
    return Submission(
        target, kind, text, location, name, email, _photo(body.get("photo"), kind, photo_max_mb)
    )


def _photo(raw, kind: str, max_mb: int | None) -> Photo | None:
    if raw is None or raw == "" or raw == b"":
        return None
    if kind != "segnalazione" or max_mb is None:
        raise bad(
            "photo",
            "solo una segnalazione può avere una foto",
            "only a segnalazione may carry a photo",
        )
    data = raw if isinstance(raw, bytes) else photo.from_json(raw, max_mb)
    return photo.process(data, max_mb)


def parse_flag_reason(raw) -> str:
    if raw not in FLAG_REASONS:
        raise bad(
            "reason",
            f"motivo: uno di {', '.join(FLAG_REASONS)}",
            f"reason: one of {', '.join(FLAG_REASONS)}",
        )
    return raw
