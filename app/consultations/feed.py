"""What the quartiere Atom feeds say of consultations (app.hooks `quartieri.feed_entries`):
one entry per consultation that has opened, announcing it, never one per comment (a
consultation's comments are on its own page and in its export; docs/participation.md,
"Where consultation comments appear"). A consultation of quartieri boundaries concerns
every quartiere, so every quartiere's feed announces it.
"""

from __future__ import annotations

from flask import request, url_for

from app.consultations import service
from app.i18n import gettext
from app.organisation import organisation
from app.services import services
from app.stores.catalog_contributions import stamp

FEED_LIMIT = 20


def feed_entries(quartiere: int, lang: str) -> list[dict] | None:
    """The entries announcing the consultations opened so far, the newest first."""
    if organisation().participation is None:
        return None
    now = stamp()
    opened = [c for c in services().store.consultations() if c.opens_at <= now]
    opened.sort(key=lambda c: c.opens_at, reverse=True)
    base = request.url_root.rstrip("/")
    return [_entry(c, lang, base) for c in opened[:FEED_LIMIT]]


def _entry(c, lang: str, base: str) -> dict:
    page = base + url_for("consultations.detail", cid=c.id)
    label = gettext("consultazione")
    first, last = service.window_days(c)
    window = f"{gettext('Aperta dal')} {first} {gettext('al')} {last}"
    state = gettext("aperta") if service.is_open(c) else gettext("chiusa")
    return {
        "id": page,  # the consultation's page: stable
        "title": f"{label.capitalize()}: {c.title(lang)}",
        "updated": c.opens_at,  # its opening is the news (an edit of its texts is not)
        "link": page,
        "category": "consultazione",
        "category_label": label,
        "summary": f"{window} ({state}). {c.description(lang)}",
    }
