"""Each page speaks one language: the English page shows no catalogue Italian, and back.

The check is generic: every catalogue entry whose two languages differ (and is long enough
not to be a common word or a data value) must not show in a page of the other language.
Script blocks are left out (the scripts' JSON messages are keyed by their Italian text).
"""

import re

import pytest

from app.i18n import EN
from tests.maps.test_maps import create_map

_SCRIPT = re.compile(r"<script\b[^>]*>.*?</script>", re.S | re.I)
_TAG_TEXT = re.compile(r"<[^>]*>")
#: Attributes a person never reads (addresses, ids, names, classes): an English URL path
#: such as /admin/consultations is not English on an Italian page. Labels, titles, alt
#: text and placeholders stay in.
_MACHINE_ATTRIBUTES = re.compile(
    r"""\s(?:href|src|action|id|class|name|for|rel|type|method|headers|form|list|"""
    r"""aria-(?:labelledby|describedby|controls)|data-[\w-]+)=(?:"[^"]*"|'[^']*')""",
    re.I,
)
MIN_LEN = 12
#: Catalogue text that the fixture data also contain (data stay in their own language).
DATA_WORDS = {"senza posizione"}


def _visible(html: str) -> str:
    """Text and the attribute values a person reads, without script blocks, entities
    decoded."""
    import html as htmllib

    return htmllib.unescape(_MACHINE_ATTRIBUTES.sub(" ", _SCRIPT.sub(" ", html)))


def _foreign(page: str, lang: str) -> list[str]:
    pairs = [(it, en) for it, en in EN.items() if it != en]
    if lang == "en":
        words = [it for it, en in pairs if len(it) >= MIN_LEN and it not in en]
    else:
        words = [en for it, en in pairs if len(en) >= MIN_LEN and en not in it]
    return sorted(w for w in words if w in page and w not in DATA_WORDS)


# Not here: the OGC API - Processes pages, whose process documents (titles, inputs) are
# written in both languages in app/processes/definitions.py, as API data.
PUBLIC = [
    "/",
    "/workspace",
    "/api/collections?f=html",
    "/api/collections/punti?f=html",
    "/api/collections/punti/items?f=html",
    "/api/collections/punti/queryables?f=html",
    "/embed/cultura-e-zone",
]
STAFF = [
    "/admin/",
    "/admin/import",
    "/admin/layers",
    "/admin/layers/punti/versions",
    "/admin/layers/punti/versions/1/preview",
    "/admin/layers/punti/edit",
    "/admin/audit",
    "/admin/maps/",
    "/admin/maps/new",
    "/admin/maps/cultura-e-zone/edit",
    "/admin/logout",
]


@pytest.fixture
def published_map(admin_client_admin):
    assert create_map(admin_client_admin, basemap="none").status_code == 302
    return admin_client_admin


@pytest.mark.parametrize("lang", ["en", "it"])
def test_pages_speak_one_language(published_map, lang):
    client = published_map
    client.set_cookie("lang", lang)  # the API refuses parameters it does not know, ?lang too
    for url in PUBLIC + STAFF:
        response = client.get(url)
        assert response.status_code == 200, (url, response.status_code)
        page = _visible(response.get_data(as_text=True))
        assert f'<html lang="{lang}">' in page, url
        assert _foreign(page, lang) == [], url
    login = client.application.test_client()
    login.set_cookie("lang", lang)
    assert _foreign(_visible(login.get("/admin/login").get_data(as_text=True)), lang) == []


def test_english_ui_has_no_known_italian(published_map):
    client = published_map
    client.set_cookie("lang", "en")
    page = _visible(client.get("/admin/maps/").get_data(as_text=True))
    for italian in ("Mappe pubblicate", "Esci", "Area di lavoro", "Mappe / Maps", "Annulla"):
        assert italian not in page
    assert "Published maps" in page and "Log out" in page and "Workspace" in page
    page = _visible(client.get("/workspace?lang=en").get_data(as_text=True))
    assert "Area di lavoro" not in page and "Workspace / " not in page
    assert "Cross-layer query" in page and "Measure distance" in page
    italian = _visible(client.get("/workspace?lang=it").get_data(as_text=True))
    assert "Interrogazione tra layer" in italian and "Cross-layer query" not in italian
