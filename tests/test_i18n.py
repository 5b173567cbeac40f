"""Interface language: ?lang= then cookie then Accept-Language; every string translated."""

import re
from pathlib import Path

from werkzeug.datastructures import LanguageAccept, MultiDict

from app.i18n import EN, choose_language, translate

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"
_CALL = re.compile(r"""_\(\s*(['"])(.+?)\1\s*\)""", re.S)


def test_choice_order():
    accept_en = LanguageAccept([("en-GB", 1), ("it", 0.5)])
    assert choose_language(MultiDict({"lang": "it"}), "en", accept_en) == ("it", True)
    assert choose_language(MultiDict(), "it", accept_en) == ("it", False)
    assert choose_language(MultiDict(), None, accept_en) == ("en", False)
    assert choose_language(MultiDict(), None, LanguageAccept([("de", 1)])) == ("it", False)
    assert choose_language(MultiDict({"lang": "xx"}), None, None) == ("it", False)


def test_every_template_string_has_english():
    used = set()
    for path in TEMPLATES.rglob("*.html"):
        for _, text in _CALL.findall(path.read_text(encoding="utf-8")):
            used.add(text)
    missing = sorted(t for t in used if t not in EN)
    assert missing == []
    assert translate("Quartieri", "en") == "Neighbourhoods"
    assert translate("Non tradotto", "en") == "Non tradotto"


# The language of whole pages is tested in tests/quartieri/test_i18n_pages.py.
