"""Interface language: ?lang= then cookie then Accept-Language; every string translated."""

import re
from pathlib import Path

from werkzeug.datastructures import LanguageAccept, MultiDict

from app.i18n import EN, choose_language, translate

TEMPLATES = Path(__file__).resolve().parents[1] / "app" / "templates"


def test_choice_order():
    accept_en = LanguageAccept([("en-GB", 1), ("it", 0.5)])
    assert choose_language(MultiDict({"lang": "it"}), "en", accept_en) == ("it", True)
    assert choose_language(MultiDict(), "it", accept_en) == ("it", False)
    assert choose_language(MultiDict(), None, accept_en) == ("en", False)
    assert choose_language(MultiDict(), None, LanguageAccept([("de", 1)])) == ("it", False)
    assert choose_language(MultiDict({"lang": "xx"}), None, None) == ("it", False)


def test_translate_falls_back_to_italian():
    assert translate("Quartieri", "en") == "Neighbourhoods"
    assert translate("Non tradotto", "en") == "Non tradotto"


# The language of whole pages is tested in tests/quartieri/test_i18n_pages.py.


# -- one catalogue for every page and script ---------------------------------------------

APP = TEMPLATES.parent
_JS_CALL = re.compile(r"""(?<![\w.$])t\(\s*"((?:[^"\\]|\\.)*)"\s*[,)]""")
_PY_CALL = re.compile(r"""\bgettext\(\s*(['"])(.+?)\1\s*\)""")


def template_keys() -> set[str]:
    """Every constant string passed to `_` in a template (parsed by Jinja, not by a regex)."""
    from jinja2 import Environment
    from jinja2.ext import extract_from_ast

    env = Environment()
    keys = set()
    for path in TEMPLATES.rglob("*.html"):
        ast = env.parse(path.read_text(encoding="utf-8"))
        for _line, _func, message in extract_from_ast(ast, gettext_functions=("_",)):
            if isinstance(message, str):
                keys.add(message)
    return keys


def script_keys() -> set[str]:
    keys = set()
    for path in APP.rglob("*.js"):
        keys.update(_JS_CALL.findall(path.read_text(encoding="utf-8")))
    return keys


def test_every_key_in_templates_scripts_and_views_is_in_both_languages():
    from app.i18n import SCRIPTS

    used = template_keys() | script_keys()
    for path in APP.rglob("*.py"):
        used.update(text for _, text in _PY_CALL.findall(path.read_text(encoding="utf-8")))
    assert len(used) > 300  # the extraction sees the pages, the scripts and the views
    missing = sorted(k for k in used if k not in EN)
    assert missing == []
    untranslated = sorted(k for k in used if not EN[k].strip())
    assert untranslated == []
    # The scripts get exactly the messages they use (SCRIPTS is what #gp-i18n carries).
    assert script_keys() == set(SCRIPTS)


def test_slots_survive_translation():
    """`{n}`-style slots (filled by `.format` or by the scripts' `t`) match in both languages."""
    slot = re.compile(r"\{(\w+)\}")
    wrong = {k: v for k, v in EN.items() if sorted(slot.findall(k)) != sorted(slot.findall(v))}
    assert wrong == {}


def test_admin_nav_labels_are_catalogue_keys(app):
    from app.admin.nav import NAV_KEY

    labels = [item.label for item in app.extensions[NAV_KEY]]
    assert labels and all(label in EN and " / " not in label for label in labels)


def test_helpers_are_written_once():
    """`esc` lives in static/geoportale-common.js only; pages' scripts use that copy."""
    copies = [
        str(p.relative_to(APP))
        for p in list(APP.rglob("*.js")) + list(APP.rglob("*.html"))
        if re.search(r"function esc\b|\besc\s*=\s*function", p.read_text(encoding="utf-8"))
    ]
    assert copies == ["static/geoportale-common.js"]


def test_zone_origin_words_are_in_both_languages():
    """The words for a quartiere's origin (app/registry/origin.py) are catalogue keys."""
    from app.registry.origin import ORIGIN

    assert set(ORIGIN) == {"testo", "gazetteer", "geometria"}
    assert all(EN.get(words, "").strip() for words in ORIGIN.values())


def test_codes_a_page_shows_read_as_words_in_both_languages():
    """A moderation status is a code in the data; a person reads words (the citizen's
    private page said "in_moderazione")."""
    from app.i18n import EN, IT, translate
    from app.stores.contributions import STATUSES

    for code in STATUSES:
        assert "_" not in translate(code, "it") and "_" not in translate(code, "en"), code
    assert set(IT) <= set(EN)
    assert translate("in_moderazione", "it") == "in moderazione"
    assert translate("in_moderazione", "en") == "awaiting moderation"
