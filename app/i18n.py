"""Interface language: Italian first, English second; data stays in its own language.

A small catalog instead of gettext: the Italian string is the key, so templates stay
readable and a missing translation falls back to Italian. The language is chosen by
`?lang=` (and remembered in a cookie), then the cookie, then the browser's
Accept-Language. Templates get `_`, `lang`, `lang_url` and `script_messages`.

One catalogue for pages and scripts: `SCRIPTS` holds the text our JavaScript shows (its
`{name}` slots are filled in the browser); every page carries those messages in its language
as a JSON block, `#gp-i18n`, that `GeoportaleCommon.t` (static/geoportale-common.js) reads.
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
    "Torna alla mappa": "Back to the map",
    "Layer": "Layers",
    "Elenco": "List",
    "Mappa interattiva": "Interactive map",
    "Il mio quartiere": "My neighbourhood",
    "Usa la mia posizione": "Use my location",
    "Scegli un punto sulla mappa": "Pick a point on the map",
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
    # workspace, published maps and the staff area
    "Layer pubblicati": "Published layers",
    "Elementi": "Features",
    "Versione": "Version",
    "Pubblicato": "Published",
    "Non presente nel database dei layer": "Not in the store",
    "Nessun layer pubblicato.": "No published layers.",
    "Nome utente": "Username",
    "Accedi": "Log in",
    "Uscire dall'area riservata?": "Log out?",
    "Esci": "Log out",
    "Annulla": "Cancel",
    "Quando": "When",
    "Chi": "Who",
    "Azione": "Action",
    "Dettaglio": "Detail",
    "Titolo e descrizione": "Title and abstract",
    "Metadati": "Metadata",
    "Stile": "Style",
    "Riempimento dello stesso colore": "Fill with the same colour",
    "Categorie secondo il campo": "Categorised by",
    "Categorie: valore → colore ed etichetta": "Categories: value → colour and label",
    "Valore": "Value",
    "Popup e titolo": "Popup and title",
    "Campi mostrati nel popup": "Fields in the popup",
    "Campo del titolo": "Title field",
    "Salva": "Save",
    "Importa un layer": "Import a layer",
    "File": "File",
    "Id del layer": "Layer id",
    "Layer nel file": "Layer in the file",
    "Sistema di riferimento": "Coordinate reference system",
    "Oppure un altro codice": "Or another code",
    "Campo identificativo": "Id field",
    "Rinomina campi": "Rename fields",
    "Licenza": "Licence",
    "Pubblica subito se non ci sono errori": "Publish at once if clean",
    "Importa e verifica": "Import and validate",
    "Layer e versioni": "Layers and versions",
    "Pubblicata": "Served",
    "Ultima versione": "Newest",
    "Bozze": "Drafts",
    "Azioni": "Actions",
    "Rapporto di verifica": "Validation report",
    "Versioni": "Versions",
    "CRS di origine": "Source CRS",
    "Con geometria": "With geometry",
    "Tipi di geometria": "Geometry types",
    "Verificato": "Checked",
    "Anteprima": "Preview",
    "Tutte le versioni": "All versions",
    "Campi": "Fields",
    "Campo": "Field",
    "Tipo": "Type",
    "Vuoti": "Nulls",
    "Importa una nuova versione": "Import a new version",
    "Metadati e stile": "Metadata and style",
    "Ripristina la versione precedente": "Roll back to the previous version",
    "Ritira dalla pubblicazione": "Unpublish",
    "Rapporto": "Report",
    "Ultime modifiche": "Recent changes",
    "Mappe pubblicate": "Published maps",
    "Nuova mappa": "New map",
    "Codice da incorporare": "Embed snippet",
    "Apri": "Open",
    "Scarica HTML autonomo": "Download standalone HTML",
    "Modifica": "Edit",
    "Elimina": "Delete",
    "Nessuna mappa pubblicata.": "No maps yet.",
    "Mappa di base": "Basemap",
    "Nessuna: solo i layer": "None: the layers only",
    "Salva e pubblica": "Save and publish",
    "Layer serviti ora dal geoportale": "Layers served now by the geoportal",
    "Id": "Id",
    "Accesso": "Log in",
    "Accesso per l'ufficio SIT del Comune.": "Access for the council's GIS office.",
    "Password": "Password",
    "Shapefile zippato, GeoPackage, GeoJSON, CSV con coordinate o WKT, KML o KMZ, in qualsiasi sistema di riferimento italiano. Il file diventa una nuova versione del layer: prima la verifica, poi l'anteprima e la pubblicazione. Un file con errori bloccanti non cambia nulla.": (
        "Zipped shapefile, GeoPackage, GeoJSON, CSV with coordinates or WKT, KML or KMZ, in any Italian coordinate reference system. The file becomes a new version of the layer: first the validation, then the preview and publication. A file with blocking errors changes nothing."
    ),
    "Il file non è stato importato, nulla è cambiato.": (
        "The file was not imported; nothing changed."
    ),
    "Nuovo (lettere minuscole, cifre, _) o esistente, per sostituirlo:": (
        "New (lower-case letters, digits, _) or existing, to replace it:"
    ),
    "facoltativo": "optional",
    "Per un GeoPackage con più layer, o uno zip con più shapefile.": (
        "For a GeoPackage with several layers, or a zip with several shapefiles."
    ),
    "Se il file non lo dichiara (o lo dichiara sbagliato)": (
        "If the file does not declare it (or declares it wrongly)"
    ),
    "dal file": "from the file",
    "CAMPO_FILE=campo, uno per riga": "FILE_FIELD=field, one per line",
    "es. CC-BY-4.0": "e.g. CC-BY-4.0",
    "Verifica": "Validation",
    "Correggi il file e riprova": "Fix the file and try again",
    "Campi del file, tipo e valori mancanti": "The file's fields, their types and missing values",
    "Registro delle modifiche": "Audit log",
    "Nessuna modifica registrata.": "No changes logged.",
    "Versioni di": "Versions of",
    "pubblicata la versione": "served: version",
    "non pubblicato": "not published",
    "Versioni, dalla più recente": "Versions, newest first",
    "Pubblica": "Publish",
    "Registro completo del layer": "The layer's full audit log",
    "Tutti i layer del database": "All layers in the store",
    "Le modifiche valgono per la versione pubblicata; campi e dati restano quelli. Nulla viene salvato se un valore non è valido.": (
        "Edits apply to the served version; its fields and data stay as they are. Nothing is saved if a value is invalid."
    ),
    "Non salvato: correggi i campi segnalati.": "Not saved: fix the marked fields.",
    "Descrizione (italiano)": "Description (Italian)",
    "Descrizione (inglese)": "Description (English)",
    "un solo colore": "one colour",
    "Etichetta (italiano)": "Label (Italian)",
    "Etichetta (inglese)": "Label (English)",
    "l'id": "the id",
    "Attributi": "Attributes",
    "Geometria": "Geometry",
    "Torna all'anteprima": "Back to the preview",
    "Registro modifiche": "Audit log",
    "Tutti i layer": "All layers",
    "Non è visibile al pubblico finché non la pubblichi.": "It is not public until you publish it.",
    "Dati GeoJSON (primi 100)": "GeoJSON data (first 100)",
    "Mappa di anteprima": "Preview map",
    "Mappa non salvata: correggi i campi segnalati.": "Map not saved: fix the marked fields.",
    "Lettere minuscole, cifre e trattini; vuoto: dal titolo. Non cambia più.": (
        "Lower-case letters, digits and hyphens; empty: from the title. It never changes afterwards."
    ),
    "facoltativa": "optional",
    "OpenStreetMap (immagini da tile.openstreetmap.org)": (
        "OpenStreetMap (images from tile.openstreetmap.org)"
    ),
    "Una mappa riunisce layer pubblicati. Ha un indirizzo stabile da incorporare nel sito del Comune (iframe) e si può scaricare come file HTML autonomo, che funziona anche senza rete.": (
        "A map brings published layers together. It has a stable address to embed in the council's website (iframe) and can be downloaded as a standalone HTML file that works without a network."
    ),
    "Titolo (italiano)": "Title (Italian)",
    "Titolo (inglese)": "Title (English)",
    "Titolare": "Owner",
    "Attribuzione": "Attribution",
    "Provenienza (italiano)": "Lineage (Italian)",
    "Provenienza (inglese)": "Lineage (English)",
    "Parole chiave, separate da virgole": "Keywords, separated by commas",
    "Data di aggiornamento": "Updated on",
    "Colore": "Colour",
    "Colore di riempimento": "Fill colour",
    "Opacità del bordo (0–1)": "Stroke opacity (0–1)",
    "Opacità del riempimento (0–1)": "Fill opacity (0–1)",
    "Spessore linea (px)": "Line weight (px)",
    "Raggio dei punti (px)": "Point radius (px)",
    "Caricamento e verifica in corso…": "Uploading and validating…",
    "Limite: {mb} MB. Shapefile: tutte le parti (.shp, .shx, .dbf, .prj, .cpg) in un unico .zip.": (
        "Limit: {mb} MB. Shapefile: all its parts (.shp, .shx, .dbf, .prj, .cpg) in one .zip."
    ),
    "Il file ha {n} errori bloccanti: non è stato importato, nulla è cambiato.": (
        "The file has {n} blocking errors: it was not imported; nothing changed."
    ),
    "Pubblica la versione {n}": "Publish version {n}",
    "Errori bloccanti": "Blocking errors",
    "Nessun errore.": "No errors.",
    "Avvisi": "Warnings",
    "Nessun avviso.": "No warnings.",
    "Note": "Notes",
    "Nessuna nota.": "No notes.",
    "{n} elementi": "{n} features",
    "primi {n}": "first {n}",
    "bozza": "draft",
    "pubblicata": "published",
    "ritirata": "retired",
    "dati eliminati": "data dropped",
    "{n} avvisi": "{n} warnings",
    "versione": "version",
    "Versione {status}, {n} elementi, importata da {user} il {date} ({source}).": (
        "Version {status}, {n} features, imported by {user} on {date} ({source})."
    ),
    "Modifica mappa": "Edit map",
    "Nessuna": "None",
    "Mappa di base (WMS)": "Basemap (WMS)",
    "Strumenti": "Tools",
    "Opacità": "Opacity",
    "Sopra": "Up",
    "Sotto": "Down",
    "Vai a coordinate": "Go to coordinates",
    "X / Est / lon": "X / East / lon",
    "Y / Nord / lat": "Y / North / lat",
    "Vai": "Go",
    "Interrogazione tra layer": "Cross-layer query",
    "Statistiche per zona": "Statistics per zone",
    "Stampa": "Print",
    "Risultati": "Results",
    "Nessun risultato.": "No results.",
    "Misura distanza": "Measure distance",
    "Misura area": "Measure area",
    "Seleziona poligono": "Select by polygon",
    "Seleziona cerchio": "Select by circle",
    "Fine": "Finish",
    "Pulisci": "Clear",
    "sono entro la distanza da": "are within the distance of",
    "sono oltre la distanza da": "are beyond the distance of",
    "intersecano": "intersect",
    "sono dentro": "are within",
    "contengono": "contain",
    "non toccano": "do not touch",
    "Esegui": "Run",
    "conteggio": "count",
    "km di linee": "km of lines",
    "ettari": "hectares",
    "quantili": "quantiles",
    "intervalli uguali": "equal intervals",
    "Calcola": "Calculate",
    "orizzontale": "landscape",
    "verticale": "portrait",
    "Elementi di": "Features of",
    "Filtro (CQL2)": "Filter (CQL2)",
    "che": "that",
    "Distanza (m)": "Distance (m)",
    "Layer di riferimento": "Reference layer",
    "Filtro riferimento (CQL2)": "Reference filter (CQL2)",
    "Raggruppa per campo": "Group by field",
    "Zone": "Zones",
    "Chiave zona": "Zone key",
    "Nome zona": "Zone name",
    "Layer da contare": "Layer to count",
    "Categoria": "Category",
    "Somma": "Sum",
    "Misura": "Measure",
    "Classi": "Classes",
    "Numero classi": "Number of classes",
    "Formato carta": "Paper size",
    "Orientamento": "Orientation",
    "Nessun layer pubblicato in questa mappa.": "No published layer in this map.",
    "Elenco degli elementi": "List of the features",
    "elenco di {n} elementi": "list of {n} features",
    "Nome": "Name",
    "mappa esportata il {date}": "map exported on {date}",
    "Importa": "Import",
    "Registro": "Audit log",
    "Mappe": "Maps",
    # the API's HTML pages
    "Mappa degli elementi elencati": "Map of the listed features",
    "Collezioni": "Collections",
    "Gruppo": "Group",
    "Classi di conformità": "Conformance classes",
    "Questo elemento non ha una posizione sulla mappa: nessuna fonte lo localizza.": "This feature has no location on the map: no source places it.",
    "proprietà filtrabili": "queryables",
    "Filtri CQL2 con": "CQL2 filters with",
    "Etichetta": "Label",
    "Identificativo": "Identifier",
    "Estensione (CRS84)": "Extent (CRS84)",
    "Genealogia": "Lineage",
    "Aggiornato": "Updated",
    "Versione pubblicata": "Published version",
    "Percorso": "Path",
    "Parametri": "Parameters",
    "metadati": "metadata",
    "Scaricamenti": "Downloads",
    "Obbligatorio": "Required",
    "Esempio eseguibile": "Runnable example",
    "Tutti i processi": "All processes",
    "Processi": "Processes",
    "analisi eseguite dal server con": "analyses run by the server with",
    "sincrone": "synchronous",
    "elementi": "features",
    "Pagine": "Pages",
    "es.": "e.g.",
    "sì": "yes",
    "no": "no",
    "{n} di {total}": "{n} of {total}",
    "Precedenti": "Previous",
    "Successivi": "Next",
    "elementi da {first} a {last}": "features {first} to {last}",
    # messages of the staff area (flash)
    "Mappa «{title}» pubblicata.": "Map «{title}» published.",
    "Mappa «{title}» aggiornata.": "Map «{title}» updated.",
    "Mappa {slug} eliminata.": "Map {slug} deleted.",
    "Sei uscito dall'area riservata.": "You are logged out.",
    "Versione {version} di {layer} pubblicata.": "Version {version} of {layer} published.",
    "Versione {version} di {layer} importata come bozza.": "Version {version} of {layer} imported as a draft.",
    "Operazione non eseguita: {detail}": "Not done: {detail}",
    "{layer}: ripristinata la versione precedente.": "{layer}: rolled back to the previous version.",
    "{layer} non è più pubblicato.": "{layer} is no longer published.",
    "Metadati e stile di {layer} salvati.": "Metadata and style of {layer} saved.",
    "Nome utente o password non validi.": "Wrong username or password.",
    # errors
    "Torna alla pagina iniziale": "Back to the home page",
    "Pagina non trovata": "Page not found",
    "Richiesta non valida": "Invalid request",
}


#: Text shown by our scripts (static/*.js, through `t(...)`), Italian -> English.
SCRIPTS: dict[str, str] = {
    # geoportale.js: the map's layers and popups
    "caricamento…": "loading…",
    "{n} senza posizione sulla mappa": "{n} without a location on the map",
    "non disponibile ({error})": "not available ({error})",
    "Posizione indicativa: l'intero {area}": "Approximate location: the whole {area}",
    "Scheda completa": "Full record",
    # citizen.js: search suggestions and the small maps
    "{n} suggerimenti": "{n} suggestions",
    "Apri la scheda": "Open the record",
    "Ricerca della posizione…": "Finding your location…",
    "Posizione non disponibile": "Location not available",
    "Clicca o tocca la mappa nel punto che ti interessa.": (
        "Click or tap the map where you are interested."
    ),
    # workspace.js: the planners' tools
    "Coordinate non valide": "Invalid coordinates",
    "Posizione: {lat}, {lon}": "Location: {lat}, {lon}",
    "Clicca sulla mappa per identificare gli elementi dei layer visibili.": (
        "Click the map to identify the features of the visible layers."
    ),
    "Clicca i punti della linea, poi Fine.": "Click the points of the line, then Finish.",
    "Clicca i vertici, poi Fine.": "Click the vertices, then Finish.",
    "Clicca i vertici del poligono, poi Fine.": "Click the polygon's vertices, then Finish.",
    "Clicca il centro, poi un punto del bordo.": "Click the centre, then a point on the edge.",
    "Distanza: {distance}": "Distance: {distance}",
    "Area: {area} · perimetro {perimeter}": "Area: {area} · perimeter {perimeter}",
    "{label}: {n} elementi nei layer visibili ({layers})": (
        "{label}: {n} features in the visible layers ({layers})"
    ),
    "Selezione": "Selection",
    "Identifica": "Identify",
    "Nessun elemento qui.": "No feature here.",
    "risultato": "result",
    "statistiche": "statistics",
    "Interrogazione in corso…": "Query running…",
    "{n} elementi di {layer} ({predicate} da {reference}); {unlocated} senza geometria esclusi": (
        "{n} features of {layer} ({predicate} {reference}); {unlocated} without geometry left out"
    ),
    "Errore: {error}": "Error: {error}",
    "Calcolo in corso…": "Calculating…",
    "Grafico: {column} per zona": "Chart: {column} per zone",
    "Statistiche per {zones}: {column}": "Statistics per {zones}: {column}",
    "Stampa in preparazione…": "Preparing the print…",
    "Stampa pronta.": "Print ready.",
    "Errore di stampa: {error}": "Print error: {error}",
    "Stato nell'indirizzo non leggibile: {error}": "Cannot read the state in the address: {error}",
}
EN.update(SCRIPTS)


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
