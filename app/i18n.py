"""Interface language: Italian first, English second; data stays in its own language.

A small catalog instead of gettext: the Italian string is the key, so templates stay
readable and a missing translation falls back to Italian. The language is chosen by
`?lang=` (and remembered in a cookie), then the cookie, then the browser's
Accept-Language. Templates get `_`, `lang`, `lang_url` and `script_messages`.

One catalogue for pages and scripts (`app/i18n_catalogue.py`): `SCRIPTS` holds the text our JavaScript shows (its
`{name}` slots are filled in the browser); every page carries those messages in its language
as a JSON block, `#gp-i18n`, that `GeoportaleCommon.t` (static/geoportale-common.js) reads.
"""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.datastructures import MultiDict

from app.i18n_catalogue import EN, IT, SCRIPTS  # noqa: F401 (SCRIPTS re-exported: tests)

LANGUAGES = ("it", "en")
DEFAULT = "it"
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600


def translate(text: str, lang: str) -> str:
    """`text` (Italian, or a code with its Italian words in IT) in `lang`; Italian when
    there is no translation."""
    if lang == "en":
        return EN.get(text, text)
    return IT.get(text, text)


#: The query parameter that picks the language: every page and resource accepts it (the
#: header's language links add it to the current address), beside its own parameters.
PARAM = "lang"


def choose_language(args: MultiDict, cookie: str | None, accept) -> tuple[str, bool]:
    """(language, explicit): `?lang=` first, then the cookie, then Accept-Language."""
    asked = args.get(PARAM)
    if asked in LANGUAGES:
        return asked, True
    if cookie in LANGUAGES:
        return cookie, False
    for value, _quality in accept or ():  # best first; "en-GB" counts as "en"
        primary = value.split("-")[0].split("_")[0].lower()
        if primary in LANGUAGES:
            return primary, False
    return DEFAULT, False


def current_language() -> str:
    return getattr(g, "lang", DEFAULT)


def gettext(text: str) -> str:
    """Translate interface text into the request's language."""
    return translate(text, current_language())


def script_messages() -> dict[str, str]:
    """The scripts' messages in the request's language (the page's `#gp-i18n` block).

    Only those that differ from their Italian key: the scripts fall back to the key, so an
    Italian page carries `{}`."""
    lang = current_language()
    translated = {key: translate(key, lang) for key in SCRIPTS}
    return {key: text for key, text in translated.items() if text != key}


def lang_url(lang: str) -> str:
    """The current URL with `lang` replaced: every page can switch language in place."""
    args = request.args.copy()
    args["lang"] = lang
    from urllib.parse import urlencode

    return request.path + "?" + urlencode(list(args.items(multi=True)))


def format_euro(value) -> str:
    """An amount in euro as the language writes it: '1.200.000 €' or '€1,200,000'."""
    if value is None:
        return "–"
    whole = f"{float(value):,.0f}"
    if current_language() == "en":
        return f"€{whole}"
    return whole.replace(",", ".") + " €"


# Data responses written the same in every language: no `Vary: Accept-Language, Cookie`,
# so a shared cache (a proxy in front of the tiles, a CDN) keeps one copy, not one per
# language and cookie. Their HTML pages are translated, so they keep the Vary.
_DATA_PATHS = ("/api/collections", "/api/conformance", "/api/openapi", "/download/")


def _same_in_every_language(path: str, mimetype: str) -> bool:
    if mimetype == "text/html":
        return False
    return path in ("/api", "/catalog.jsonld") or path.startswith(_DATA_PATHS)


def init_app(app: Flask) -> None:
    """Pick the language per request, remember an explicit choice, expose `_` to templates."""

    @app.before_request
    def _pick_language():
        g.lang, g.lang_explicit = choose_language(
            request.args, request.cookies.get(COOKIE), request.accept_languages
        )

    @app.after_request
    def _remember(response):
        if getattr(g, "lang_explicit", False):
            response.set_cookie(COOKIE, g.lang, max_age=COOKIE_AGE, samesite="Lax")
        if not _same_in_every_language(request.path, response.mimetype):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    app.add_template_filter(format_euro, "euro")

    @app.context_processor
    def _i18n():
        return {
            "_": gettext,
            "lang": current_language(),
            "lang_url": lang_url,
            "script_messages": script_messages,
        }
