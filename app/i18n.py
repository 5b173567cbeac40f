"""Interface language: Italian first, English second; data stays in its own language.

A small catalog instead of gettext: the Italian string is the key, so templates stay
readable and a missing translation falls back to Italian. The language is chosen by
`?lang=` (and remembered in a cookie), then the cookie, then the browser's
Accept-Language. Templates get `_`, `lang` and `lang_url`.
"""

from __future__ import annotations

from flask import Flask, g, request
from werkzeug.datastructures import MultiDict

LANGUAGES = ("it", "en")
DEFAULT = "it"
COOKIE = "lang"
COOKIE_AGE = 365 * 24 * 3600

#: Italian interface text -> English. Keys are exactly the strings passed to `_`.
EN: dict[str, str] = {
    # base layout
    "Vai al contenuto": "Skip to content",
    "Vai alla ricerca": "Skip to search",
    "Principale": "Main",
    "Mappa": "Map",
    "Quartieri": "Neighbourhoods",
    "Dati (API)": "Data (API)",
    "Area riservata": "Staff area",
    "Area di lavoro": "Workspace",
    "Lingua": "Language",
    "Cerca": "Search",
    "Cerca un indirizzo, un luogo, un intervento o un quartiere": (
        "Search for an address, a place, an intervention or a neighbourhood"
    ),
    "Suggerimenti": "Suggestions",
    "Apri la scheda": "Open the record",
    "Torna alla mappa": "Back to the map",
    "Layer": "Layers",
    "Elenco": "List",
    "Mappa interattiva": "Interactive map",
    "Il mio quartiere": "My neighbourhood",
    "Usa la mia posizione": "Use my location",
    "Scegli un punto sulla mappa": "Pick a point on the map",
    "Clicca o tocca la mappa nel punto che ti interessa.": (
        "Click or tap the map where you are interested."
    ),
    "Posizione non disponibile": "Location not available",
    "Ricerca della posizione…": "Finding your location…",
    # search
    "Risultati della ricerca": "Search results",
    "Nessun risultato per": "No results for",
    "Scrivi almeno 2 caratteri.": "Type at least 2 characters.",
    "Precisione": "Precision",
    "Quartiere": "Neighbourhood",
    "Posizione non nota": "Location not known",
    "risultati": "results",
    "Indirizzo": "Address",
    "Via": "Street",
    "Suggerimento: prova con il nome della via senza numero, o con meno parole.": (
        "Tip: try the street name without the number, or fewer words."
    ),
    # quartieri
    "I quartieri di": "The neighbourhoods of",
    "Il punto è fuori dai quartieri": "The point is outside the neighbourhoods",
    "Questo geoportale non organizza i dati per quartiere.": (
        "This geoportal does not organise its data by neighbourhood."
    ),
    "Confini indicativi": "Indicative boundaries",
    "I confini dei quartieri sono indicativi, non ufficiali: servono a orientarsi. "
    "Un intervento senza posizione compare nel quartiere indicato dalle fonti.": (
        "The neighbourhood boundaries are indicative, not official: they are a guide. "
        "An intervention without a location is listed in the neighbourhood its sources name."
    ),
    "Interventi": "Interventions",
    "Totale": "Total",
    "Senza confine disegnato": "No boundary drawn",
    "Interventi non attribuiti a un quartiere": "Interventions not attributed to a neighbourhood",
    "Elenco dei quartieri": "List of neighbourhoods",
    "Tabella: interventi per stato in ogni quartiere": (
        "Table: interventions by status in each neighbourhood"
    ),
    "Mappa dei quartieri": "Map of the neighbourhoods",
    "Tocca la mappa per vedere il quartiere in quel punto.": (
        "Tap the map to see the neighbourhood at that point."
    ),
    "Cosa succede nel quartiere": "What is happening in the neighbourhood",
    "Filtri": "Filters",
    "Stato": "Status",
    "Tutti": "All",
    "Tema": "Theme",
    "Missione": "Mission",
    "Anno": "Year",
    "Entro 500 m dal punto scelto": "Within 500 m of the chosen point",
    "Applica i filtri": "Apply filters",
    "Togli i filtri": "Clear filters",
    "interventi trovati": "interventions found",
    "intervento trovato": "intervention found",
    "Importo per stato": "Amount by status",
    "Importo": "Amount",
    "Numero": "Number",
    "Anni": "Years",
    "Finanziamento": "Funding",
    "Programma": "Programme",
    "Fonte": "Source",
    "Fonti": "Sources",
    "Titolo": "Title",
    "Nessun intervento con questi filtri.": "No interventions match these filters.",
    "Segui questo quartiere (Atom)": "Follow this neighbourhood (Atom feed)",
    "Feed Atom degli interventi": "Atom feed of the interventions",
    "Mappa del quartiere e dei suoi interventi": "Map of the neighbourhood and its interventions",
    "Sulla mappa solo gli interventi con una posizione; l'elenco li comprende tutti.": (
        "The map shows only interventions with a location; the list includes them all."
    ),
    "Questo quartiere non ha un confine disegnato: gli interventi sono quelli che le fonti "
    "attribuiscono al quartiere.": (
        "This neighbourhood has no boundary drawn: the interventions are those the sources "
        "attribute to it."
    ),
    "Il punto scelto": "The chosen point",
    "è in questo quartiere.": "is in this neighbourhood.",
    "Interventi vicini": "Nearby interventions",
    "senza posizione": "no location",
    "Collegamento a questa vista": "Link to this view",
    "Tutti i quartieri": "All neighbourhoods",
    "Quartiere senza nome nelle fonti": "Neighbourhood without a name in the sources",
    # intervention
    "Scheda dell'intervento": "Intervention record",
    "Storia dello stato": "Status history",
    "Dati completi": "Full record",
    "Nel quartiere": "In the neighbourhood",
    "Nessun quartiere": "No neighbourhood",
    "Posizione": "Location",
    "Questo intervento non ha una posizione sulla mappa.": (
        "This intervention has no location on the map."
    ),
    "Mappa dell'intervento": "Map of the intervention",
    "Scarica in GeoJSON": "Download as GeoJSON",
    "Descrizione": "Description",
    "Luogo": "Place",
    "Quartiere ricavato da": "Neighbourhood from",
    "testo": "text",
    "geometria": "geometry",
    "posizione": "location",
    # status values (data codes shown with a label)
    "pianificato": "planned",
    "in_corso": "in progress",
    "concluso": "completed",
    "sospeso": "suspended",
    "sconosciuto": "unknown",
    # errors
    "Torna alla pagina iniziale": "Back to the home page",
    "Pagina non trovata": "Page not found",
    "Richiesta non valida": "Invalid request",
}


def translate(text: str, lang: str) -> str:
    """`text` (Italian) in `lang`; Italian when there is no translation."""
    if lang == "en":
        return EN.get(text, text)
    return text


def choose_language(args: MultiDict, cookie: str | None, accept) -> tuple[str, bool]:
    """(language, explicit): `?lang=` first, then the cookie, then Accept-Language."""
    asked = args.get("lang")
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
        return {"_": gettext, "lang": current_language(), "lang_url": lang_url}
