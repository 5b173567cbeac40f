"""The translation catalogue: every interface text, Italian (the key) -> English.

`IT` gives the Italian words of the few codes a page shows (moderation statuses); `EN` holds
the pages' text (keys are exactly the strings passed to `_`/`gettext`);
`SCRIPTS` the text our JavaScript shows (`t(...)` in static/*.js, `{name}` slots filled in
the browser), which is part of `EN` too. The logic that uses them is in `app/i18n.py`.
"""

from __future__ import annotations

#: Codes passed to `_` that a person reads (the moderation statuses): their Italian words.
#: In English they are translated from the code, in `EN` like any other key.
IT: dict[str, str] = {
    "in_moderazione": "in moderazione",
    "in_revisione": "in revisione dopo le segnalazioni",
}

#: Italian interface text -> English. Keys are exactly the strings passed to `_`.
EN: dict[str, str] = {
    # base layout
    "Vai al contenuto": "Skip to content",
    "Vai alla ricerca": "Skip to search",
    "Principale": "Main",
    "Mappa": "Map",
    "Quartieri": "Neighbourhoods",
    # /programma: the programme monitored
    "Il programma": "The programme",
    "Tutte": "All",
    "Andamento nel tempo": "Progress over time",
    "Da dove vengono i soldi": "Where the money comes from",
    "Fonti di finanziamento per missione": "Funding sources by mission",
    "Fonti di finanziamento per quartiere": "Funding sources by neighbourhood",
    "Interventi e importi noti per fonte di finanziamento": "Interventions and known amounts by funding source",
    "Interventi per stato alla fine di ogni anno": "Interventions by status at the end of each year",
    "Per ogni anno, gli interventi in ciascuno stato alla fine dell'anno, secondo la storia dello stato documentata; quelli non ancora citati da un documento non sono contati. I filtri di stato, quartiere e finanziamento valgono anche qui.": (
        "For each year, the interventions in each status at its end, by their documented "
        "status history; those no document had mentioned yet are not counted. The status, "
        "neighbourhood and funding filters apply here too."
    ),
    "Quote dichiarate dalle fonti": "Shares stated by the sources",
    "Un intervento cofinanziato conta in ciascuna delle sue fonti: le somme delle righe si sovrappongono e non vanno addizionate. «n.d.»: le fonti non dicono chi finanzia.": (
        "A co-funded intervention counts in each of its sources: the rows' sums overlap and "
        "must not be added up. \u201cn.a.\u201d: the sources do not say who funds it."
    ),
    "di cui cofinanziati": "of which co-funded",
    "numero di interventi": "number of interventions",
    "Il programma del Comune": "The council's programme",
    "Che cosa il Comune ha programmato, che cosa è fatto, dove e con quali soldi: gli interventi descritti nei documenti del Comune, ordinati per missione e obiettivo del DUP e per capitolo del programma di mandato.": (
        "What the council planned, what is done, where and with what money: the interventions "
        "described in the council's documents, by mission and objective of the DUP and by "
        "chapter of the mandate programme."
    ),
    "Com'era alla fine dell'anno": "As it stood at the end of",
    "Il programma nel tempo": "The programme over time",
    "Da dove vengono i numeri": "Where the figures come from",
    "I capitoli del programma di mandato": "The chapters of the mandate programme",
    "Importo noto": "Known amount",
    "In sintesi": "Summary",
    "Interventi per missione del DUP e per stato": "Interventions by DUP mission and status",
    "Missioni, programmi e obiettivi del DUP": "Missions, programmes and objectives of the DUP",
    "Nessun intervento.": "No intervention.",
    "Non citati nel programma di mandato": "Not cited in the mandate programme",
    "Non collegati a una missione del DUP": "Not linked to a DUP mission",
    "Oggi": "Today",
    "Senza importo": "Without amount",
    "Un importo non indicato dalle fonti è «n.d.» e contato a parte, mai sommato come zero. Un intervento «in corso» oltre l'anno di fine previsto è segnato «in ritardo».": (
        "An amount the sources do not give is \u201cn.a.\u201d and counted apart, never summed as "
        "zero. An intervention still \u201cin progress\u201d after its planned end year is marked "
        "\u201clate\u201d."
    ),
    "Un intervento sta in un capitolo quando il programma di mandato ne parla in quel capitolo; se ne parla in due, sta in entrambi.": (
        "An intervention is in a chapter when the mandate programme speaks of it in that "
        "chapter; if it does in two, it is in both."
    ),
    "alla fine del": "at the end of",
    "dati aggiornati al": "data updated on",
    "in ritardo": "late",
    "interventi": "interventions",
    "intervento": "intervention",
    "pubblicata il": "published on",
    "senza importo": "without amount",
    "Questo geoportale non pubblica un programma.": "This geoportal publishes no programme.",
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
    "precisione": "precision",
    "Questo intervento non ha una posizione sulla mappa.": (
        "This intervention has no location on the map."
    ),
    "Mappa dell'intervento": "Map of the intervention",
    "Scarica in GeoJSON": "Download as GeoJSON",
    "importo calcolato": "computed amount",
    "Descrizione": "Description",
    "Luogo": "Place",
    "Quartiere ricavato da": "Neighbourhood from",
    "testo": "text",
    "geometria": "geometry",
    "Attribuito al quartiere": "Assigned to the neighbourhood",
    "Nota sul quartiere": "Note on the neighbourhood",
    # the zone origin's words (app/registry/origin.py)
    "dal testo del documento": "from the document's text",
    "dal gazetteer": "from the gazetteer",
    "dalla posizione sul poligono indicativo": "from its position on the indicative polygon",
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
    "Posiziona da file": "Place from a file",
    "Un file con una riga per elemento, con il campo identificativo del layer ({field}), posiziona o aggiorna molti elementi insieme. Colonne facoltative: precisione, fonte_posizione, codice_via (codice ANNCSU della via) e i campi del layer da aggiornare. Prima la verifica: nulla viene scritto finché non confermi, e le modifiche restano nella bozza del layer fino alla pubblicazione.": "A file with one row per feature, holding the layer's id field ({field}), places or updates many features at once. Optional columns: precisione, fonte_posizione, codice_via (the street's ANNCSU code) and the layer's fields to update. The file is checked first: nothing is written until you confirm, and the changes wait in the layer's draft until it is published.",
    "Nulla è stato scritto.": "Nothing was written.",
    "CSV (lon/lat, x/y o WKT, oppure senza coordinate), GeoPackage, GeoJSON, shapefile zippato, KML. Limite: {mb} MB.": "CSV (lon/lat, x/y or WKT, or without coordinates), GeoPackage, GeoJSON, zipped shapefile, KML. Limit: {mb} MB.",
    "Verifica il file": "Check the file",
    "{n} modifiche scritte nella bozza del layer.": "{n} changes written to the layer's draft.",
    "Rivedi e pubblica la bozza": "Review and publish the draft",
    "Il file ha {n} errori bloccanti: nulla è stato scritto.": "The file has {n} blocking errors: nothing was written.",
    "Righe": "Rows",
    "Scrivi {n} posizionamenti nella bozza": "Write {n} placements to the draft",
    "Il file non è più disponibile: caricalo di nuovo.": "The file is no longer available: upload it again.",
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
    "schema degli elementi": "feature schema",
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
    # the draft review (admin/publishing/draft.html) and a feature's history (api/_history.html)
    "Modifiche in attesa": "Pending edits",
    "modifiche in attesa": "pending edits",
    "Modifiche in attesa, per elemento": "Pending edits, per feature",
    "Chi, quando": "Who, when",
    "Dati pubblici": "Public data",
    "Elemento": "Feature",
    "Fonte della posizione": "Location source",
    "Metodo": "Method",
    "Mappa delle modifiche: prima (grigio, tratteggiato) e dopo (a colori)": (
        "Map of the edits: before (grey, dashed) and after (in colour)"
    ),
    "Mostra sulla mappa": "Show on the map",
    "Nessun elemento scelto: nessuna modifica scartata.": "No feature chosen: nothing discarded.",
    "Nessuna modifica in attesa per questo layer.": "No pending edits for this layer.",
    "Nessuna modifica in attesa.": "No pending edits.",
    "Nessuna modifica pubblicata dopo il caricamento dei dati.": (
        "No edits published since the data was loaded."
    ),
    "Pagina {n} di {m}": "Page {n} of {m}",
    "Posizionamento": "Placement",
    "Pubblica le modifiche (nuova versione)": "Publish the edits (new version)",
    "Pubblicata la versione {n}.": "Version {n} published.",
    "Pubblicazione non eseguita: conflitto con una versione più recente": (
        "Not published: conflict with a newer version"
    ),
    "Scarta": "Discard",
    "Scarta le modifiche di questi elementi": "Discard the edits of these features",
    "Scarta tutte le modifiche": "Discard all edits",
    "Storia": "History",
    "Storia in JSON": "History as JSON",
    "Versioni (per ripristinare la precedente)": "Versions (to roll back)",
    "aggiornato": "updated",
    "aggiunto": "added",
    "campi": "fields",
    "creato": "created",
    "prima": "before",
    "dopo": "after",
    "eliminato": "removed",
    "modificato": "changed",
    "posizione cambiata": "position changed",
    "sostituito": "replaced",
    "spostato": "moved",
    "versione {n}": "version {n}",
    "{a} aggiunti, {c} modificati, {r} eliminati su v{base}": (
        "{a} added, {c} changed, {r} removed on v{base}"
    ),
    "{n} elementi cambiati con {e} modifiche: {a} aggiunti, {c} modificati ({m} spostati), {r} eliminati.": (
        "{n} features changed by {e} edits: {a} added, {c} changed ({m} moved), {r} removed."
    ),
    "{n} modifiche": "{n} edits",
    "{n} modifiche da rivedere": "{n} edits to review",
    "{n} modifiche in attesa di pubblicazione: rivedile": "{n} edits waiting to be published: review them",
    "{n} modifiche scartate.": "{n} edits discarded.",
    # errors
    "Torna alla pagina iniziale": "Back to the home page",
    "Pagina non trovata": "Page not found",
    "Richiesta non valida": "Invalid request",
    # the web editor and the georeferencing queue (app/editing, templates/editing)
    "Modifica e georeferenzia": "Edit and georeference",
    "Le modifiche restano in bozza finché un redattore non le pubblica.": (
        "Edits wait in a draft until an editor publishes them."
    ),
    "Layer modificabili": "Editable layers",
    "Senza geometria": "Without geometry",
    "Modifiche in bozza": "Pending edits",
    "Apri l’editor": "Open the editor",
    "Bozza": "Draft",
    "Nessun layer pubblicato è modificabile.": "No published layer is editable.",
    "Editor": "Editor",
    "Mappa di modifica": "Editing map",
    "Tutti i layer modificabili": "All editable layers",
    "Pannelli": "Panels",
    "Da georeferenziare": "To georeference",
    "Cerca un elemento": "Find a feature",
    "Elementi senza geometria, i più importanti per primi (con importo, poi per stato).": (
        "Features without geometry, most important first (with an amount, then by status)."
    ),
    "Strumenti di disegno": "Drawing tools",
    "Clicca un punto": "Click a point",
    "Punto al centro della mappa": "Point at the map's centre",
    "Disegna il tratto di via": "Draw the street stretch",
    "Disegna l’area": "Draw the area",
    "Rimuovi la geometria": "Remove the geometry",
    "Aggiungi una parte (non sostituire)": "Add a part (do not replace)",
    "Tutto il quartiere": "The whole neighbourhood",
    "Usa il quartiere": "Use the neighbourhood",
    "Trova": "Find",
    "es. via Dante 12": "e.g. via Dante 12",
    "obbligatoria": "required",
    "Via (stradario ufficiale)": "Street (official street list)",
    "Salva e passa al successivo": "Save and go to the next",
    "Salta": "Skip",
    "Tastiera": "Keyboard",
    "Esc: interrompe il disegno in corso.": "Esc: stops the drawing in progress.",
    "Frecce su un punto selezionato: lo spostano; con Maiuscole, di più.": (
        "Arrow keys on a selected point move it; with Shift, further."
    ),
    "Punto al centro della mappa: sposta la mappa con le frecce, poi premi il pulsante.": (
        "Point at the map's centre: pan the map with the arrow keys, then press the button."
    ),
    # app/fonti: the sources pages
    "I documenti del Comune da cui vengono i dati: ogni elemento cita il documento e il punto del testo, che qui si può controllare.": (
        "The council documents the data comes from: every feature cites the document and the place in its text, which can be checked here."
    ),
    "{n} elementi la citano": "cited by {n} features",
    "Nessun documento in catalogo.": "No document in the catalogue.",
    "Nessun documento corrisponde a": "No document matches",
    "Tutte le fonti": "All sources",
    "Documento citato": "Cited document",
    "Ente": "Issuer",
    "Data": "Date",
    "senza data": "undated",
    "Periodo": "Period",
    "Originale": "Original",
    "nessun collegamento noto": "no known link",
    "Nota": "Note",
    "Il passo citato": "The cited passage",
    "Il testo del documento non è disponibile su questo server: la citazione indica dove trovarlo nel documento originale.": (
        "The document's text is not available on this server: the citation says where to find it in the original document."
    ),
    "Elementi che citano questo documento": "Features citing this document",
    "Nessun elemento pubblicato cita questo documento.": "No published feature cites this document.",
    # the kinds of source document (app/fonti catalogue values)
    "programma di mandato": "mandate programme",
    "bilancio sociale": "social report",
    "DUP": "DUP (single programming document)",
    "strategia": "strategy",
    # app/styles: legend labels of the layers' styles (SLD, QML, MapLibre)
    "Altri valori": "Other values",
    "posizione indicativa": "approximate position",
    # the WMS (app/wms): capabilities and GetFeatureInfo
    "Livelli cartografici pubblicati da {org}, disegnati con i loro stili.": (
        "Map layers published by {org}, drawn with their map styles."
    ),
    "Nessun elemento qui.": "No feature here.",
    "Stile del layer": "Layer style",
    # app/contributions: citizens' contributions, their moderation
    "Anonimo": "Anonymous",
    "Approva": "Approve",
    "Assegna": "Assign",
    "Assegna a un ufficio": "Assign to an office",
    "Cambia stato": "Change state",
    "Che cosa conserviamo": "What we keep",
    "Che cosa ti scriviamo": "What we send you",
    "Se lasci l’e-mail ti scriviamo solo di quel contributo: la ricevuta con il link privato per seguirlo, poi l’approvazione o il rifiuto con il motivo, la risposta del Comune e ogni cambio di stato, nella lingua in cui hai scritto. Nient’altro: nessuna newsletter, nessun altro uso.": (
        "If you leave your e-mail we write to you only about that contribution: the receipt with the private link to follow it, then its approval or rejection with the reason, the council’s answer and each change of state, in the language you wrote in. Nothing else: no newsletter, no other use."
    ),
    "Di un messaggio inviato non conserviamo né il testo né l’indirizzo, solo che è stato inviato; quelli non ancora inviati sono cancellati con l’e-mail.": (
        "Of a message sent we keep neither its text nor the address, only that it was sent; those not sent yet are deleted with the e-mail."
    ),
    "Che cosa vuoi scrivere?": "What do you want to write?",
    "Chi lo vede": "Who sees it",
    "Come chiedere la cancellazione": "How to ask for deletion",
    "Commento: sul contenuto di questa pagina. Segnalazione: un problema in un punto preciso (serve la posizione). Proposta: un’idea per il quartiere.": (
        "Comment: on what this page shows. Report: a problem at a precise place (a position is needed). Proposal: an idea for the neighbourhood."
    ),
    "Conserva questo link privato: mostra lo stato del tuo contributo e la risposta del Comune. Chi ha il link può vederlo.": (
        "Keep this private link: it shows the state of your contribution and the council’s answer. Anyone with the link can see it."
    ),
    "Conserviamo il testo, il nome se lo scrivi, la posizione se la indichi e la foto se la alleghi: diventano pubblici solo dopo l’approvazione di un moderatore del Comune. L’e-mail, facoltativa, serve solo per scriverti di questo contributo (la ricevuta con il link per seguirlo, poi l’esito della moderazione, la risposta e i cambi di stato): la vedono solo i moderatori, non è mai pubblicata né esportata. Per limitare gli abusi conserviamo un’impronta cifrata del tuo indirizzo di rete, non l’indirizzo.": (
        "We keep the text, your name if you write it, the position if you give it and the photo if you attach one: they become public only after a council moderator approves them. The e-mail, optional, is only for writing to you about this contribution (the receipt with the link to follow it, then the moderation’s outcome, the answer and the changes of state): only the moderators see it, it is never published or exported. Against abuse we keep an encrypted fingerprint of your network address, not the address."
    ),
    # the e-mails to the citizen (app/contributions/mail.py: plain text, not a page)
    "Buongiorno,": "Hello,",
    "Il tuo contributo:": "Your contribution:",
    "Usiamo questo indirizzo e-mail solo per scriverti di questo contributo. Per farlo cancellare scrivi a {contact}: lo cancelliamo ovunque compaia. Altrimenti è cancellato dopo {days} giorni.": (
        "We use this e-mail address only to write to you about this contribution. To have it deleted write to {contact}: we delete it wherever it appears. Otherwise it is deleted after {days} days."
    ),
    "Abbiamo ricevuto il tuo contributo": "We received your contribution",
    "grazie: abbiamo ricevuto il tuo contributo. Un moderatore lo esaminerà: sarà pubblico solo dopo la sua approvazione.": (
        "thank you: we received your contribution. A moderator will review it: it will be public only once approved."
    ),
    "Segui lo stato del tuo contributo e la risposta del Comune a questo link privato (chi ha il link può vederlo: non inoltrarlo):": (
        "Follow the state of your contribution and the council’s answer at this private link (anyone with the link can see it: do not forward it):"
    ),
    "Lo stato e la risposta sono anche sul link privato del primo messaggio.": (
        "The state and the answer are also on the private link of our first message."
    ),
    "Il tuo contributo è pubblicato": "Your contribution is published",
    "il tuo contributo è stato approvato ed è ora pubblico.": (
        "your contribution was approved and is now public."
    ),
    "Il tuo contributo non è stato pubblicato": "Your contribution was not published",
    "il tuo contributo non è stato pubblicato, per questo motivo:": (
        "your contribution was not published, for this reason:"
    ),
    "{org} ha risposto al tuo contributo": "{org} answered your contribution",
    "{org} ha risposto al tuo contributo:": "{org} answered your contribution:",
    "lo stato del tuo contributo è ora «{state}».": (
        "the state of your contribution is now “{state}”."
    ),
    "Ufficio o ente competente: {office}": "Competent office or body: {office}",
    "Il tuo contributo è ora: {state}": "Your contribution is now: {state}",
    # a segnalazione's photo (app/contributions/photo.py)
    "Foto": "Photo",
    "Foto (facoltativa, solo per una segnalazione)": "Photo (optional, for a report only)",
    "Foto della segnalazione": "Photo of the report",
    "JPEG, PNG o WebP, al massimo": "JPEG, PNG or WebP, at most",
    "La ricodifichiamo e togliamo i dati nascosti nel file, compresa la posizione GPS. Non fotografare persone o targhe riconoscibili.": (
        "We re-encode it and remove the data hidden in the file, the GPS position included. Do not photograph recognisable people or number plates."
    ),
    "La tua foto": "Your photo",
    "Come l’abbiamo conservata: ricodificata, senza i dati nascosti nel file. È pubblica solo se il contributo è approvato.": (
        "As we keep it: re-encoded, without the data hidden in the file. It is public only if the contribution is approved."
    ),
    "Rimuovi la foto": "Remove the photo",
    "La foto di una segnalazione, se la alleghi: la ricodifichiamo e togliamo i dati nascosti nel file (posizione GPS, fotocamera, data e ora). Una foto è un dato personale se mostra persone, case o targhe.": (
        "The photo of a report, if you attach one: we re-encode it and remove the data hidden in the file (GPS position, camera, date and time). A photo is personal data when it shows people, houses or number plates."
    ),
    "La foto è pubblica solo con la segnalazione approvata; un moderatore può toglierla in ogni momento.": (
        "The photo is public only with the approved report; a moderator can remove it at any time."
    ),
    "Dopo lo stesso periodo sono cancellate le foto dei contributi non pubblicati; quella di una segnalazione pubblicata resta con il testo, finché non chiedi di cancellarla.": (
        "After the same period the photos of unpublished contributions are deleted; that of a published report stays with its text until you ask for its deletion."
    ),
    "Cancelliamo anche le foto dei contributi lasciati con quell’e-mail.": (
        "We also delete the photos of the contributions left with that e-mail."
    ),
    "Contributi dei cittadini": "Citizens’ contributions",
    "Contributi pubblicati per tipo e stato": "Published contributions by kind and state",
    "Contributo": "Contribution",
    "Contributo non inviato": "Contribution not sent",
    "Contributo ricevuto": "Contribution received",
    "Duplicato di (id)": "Duplicate of (id)",
    "E-mail (facoltativa, mai pubblicata)": "E-mail (optional, never published)",
    "E-mail (riservata)": "E-mail (private)",
    "E-mail e impronta sono cancellate dopo": "The e-mail and the fingerprint are deleted after",
    "Fatto.": "Done.",
    "Grazie. Il tuo contributo è in moderazione: sarà pubblico solo dopo l’approvazione di un moderatore.": (
        "Thank you. Your contribution is awaiting moderation: it will be public only once a moderator approves it."
    ),
    "Grazie: un moderatore esaminerà il contributo.": (
        "Thank you: a moderator will review the contribution."
    ),
    "Ho letto l’informativa e acconsento al trattamento dei dati": (
        "I have read the privacy notice and consent to the processing of my data"
    ),
    "Il testo del contributo, il tipo, la pagina o il quartiere a cui si riferisce, la posizione se la indichi e il nome se lo scrivi. Facoltativa, l’e-mail. Un’impronta cifrata (non reversibile senza la chiave del server) del tuo indirizzo di rete, per limitare gli invii ripetuti: l’indirizzo non è conservato.": (
        "The text of the contribution, its kind, the page or neighbourhood it is about, the position if you give it and your name if you write it. Optionally, your e-mail. An encrypted fingerprint (not reversible without the server’s key) of your network address, to limit repeated sending: the address itself is not kept."
    ),
    "Il tuo contributo": "Your contribution",
    "Il tuo testo, da copiare prima di tornare indietro:": "Your text, to copy before going back:",
    "Informativa completa": "Full privacy notice",
    "Informativa sulla privacy": "Privacy notice",
    "Informativa sulla privacy dei contributi": "Privacy notice for contributions",
    "Invia al Comune": "Send to the council",
    "Inviato il": "Sent on",
    "Latitudine": "Latitude",
    "Longitudine": "Longitude",
    "L’e-mail e l’impronta sono cancellate dopo": (
        "The e-mail and the fingerprint are deleted after"
    ),
    "Moderazione": "Moderation",
    "Motivo": "Reason",
    "Motivo del rifiuto": "Reason for rejecting",
    "Motivo per nascondere": "Reason for hiding",
    "Nascondi": "Hide",
    "Nessun contributo in questo stato.": "No contribution in this status.",
    "Nessun contributo pubblicato finora.": "No contribution published yet.",
    "Nome (facoltativo, sarà pubblicato)": "Name (optional, will be published)",
    "Non compilare questo campo": "Leave this field empty",
    "Nulla è pubblico prima dell’approvazione di un moderatore. Dopo, sono pubblici il testo, il tipo, il nome se scritto, la posizione se indicata, lo stato e la risposta del Comune. L’e-mail e l’impronta non sono mai pubblicate né esportate: le vedono solo i moderatori del Comune.": (
        "Nothing is public before a moderator approves it. Then the text, the kind, the name if written, the position if given, the state and the council’s answer are public. The e-mail and the fingerprint are never published or exported: only the council’s moderators see them."
    ),
    "Pagine dei contributi": "Pages of contributions",
    "Partecipa": "Take part",
    "Per quanto tempo": "For how long",
    "Posizione (facoltativa, necessaria per una segnalazione)": (
        "Position (optional, needed for a report)"
    ),
    "Pubblicazione": "Publication",
    "Rifiuta": "Reject",
    "Riguarda": "About",
    "Rispondi": "Answer",
    "Risposta di": "Answer from",
    "Risposta e stato": "Answer and state",
    "Risposta pubblica": "Public answer",
    "Risposta pubblica, firmata": "Public answer, signed",
    "Scrivi al Comune": "Write to the council",
    "Scrivi al Comune indicando l’e-mail che hai lasciato: la cancelliamo ovunque compaia nei tuoi contributi. Titolare del trattamento:": (
        "Write to the council giving the e-mail you left: we delete it wherever it appears in your contributions. Data controller:"
    ),
    "Segna come duplicato": "Mark as duplicate",
    "Segnala": "Flag",
    "Segnala come inappropriato": "Flag as inappropriate",
    "Segnalazione ricevuta": "Flag received",
    "Segnalazioni": "Flags",
    "Stato di moderazione": "Moderation status",
    "Testo": "Text",
    "Tocca la mappa della pagina, usa la tua posizione o scrivi le coordinate.": (
        "Tap the page’s map, use your position or type the coordinates."
    ),
    "Torna alla coda": "Back to the queue",
    "Ufficio (competente, per «non di competenza»)": (
        "Office (the competent one, for “not the council’s responsibility”)"
    ),
    "competente": "competent",
    "da 10 a 2000 caratteri, solo testo": "10 to 2000 characters, text only",
    "fuori tema": "off-topic",
    "giorni, o prima se lo chiedi al Comune indicando la tua e-mail. Titolare del trattamento:": (
        "days, or earlier if you ask the council giving your e-mail. Data controller:"
    ),
    "giorni. Il testo pubblicato resta, come parte del dialogo tra cittadini e Comune.": (
        "days. The published text stays, as part of the dialogue between citizens and council."
    ),
    "offensivo": "offensive",
    "quartiere": "neighbourhood",
    "spam": "spam",
    "ufficio": "office",
    "Contributi": "Contributions",
    "commento": "comment",
    "segnalazione": "report",
    "proposta": "proposal",
    "Tutti i contributi approvati come dati aperti:": "All approved contributions as open data:",
    "in_moderazione": "awaiting moderation",
    "approvato": "approved",
    "rifiutato": "rejected",
    "nascosto": "hidden",
    "duplicato": "duplicate",
    "in_revisione": "hidden for review after flags",
    # the moderators' queue at a council's scale: filters, bulk actions, next in queue
    "Applica ai contributi scelti": "Apply to the chosen contributions",
    "Approvati: {n}.": "Approved: {n}.",
    "Azione sui contributi scelti": "Action on the chosen contributions",
    "Cerca nel testo": "Search the text",
    "Con foto": "With a photo",
    "Con o senza": "With or without",
    "Filtra": "Filter",
    "Già cambiati da altri, lasciati come sono: {ids}.": (
        "Already changed by someone else, left as they are: {ids}."
    ),
    "Id dell'elemento": "Feature id",
    "Motivo (per rifiutare o nascondere), uno per tutti": (
        "Reason (to reject or hide), one for all"
    ),
    "Nascosti: {n}.": "Hidden: {n}.",
    "Nessun altro contributo in coda con questi filtri.": (
        "No other contribution waiting with these filters."
    ),
    "Nessun contributo con questi filtri.": "No contribution with these filters.",
    "Non trovati, nulla è cambiato: {ids}.": "Not found, nothing changed: {ids}.",
    "Ordine": "Order",
    "Prima i più recenti": "Newest first",
    "Prima i più vecchi": "Oldest first",
    "Prossimo in coda": "Next in the queue",
    "Quartiere (numero)": "Neighbourhood (number)",
    "Rifiutati: {n}.": "Rejected: {n}.",
    "Scegli": "Choose",
    "Scegli tutti in questa pagina": "Choose all on this page",
    "Senza foto": "Without a photo",
    "Ufficio": "Office",
    "filtrati": "filtered",
    # consultations (app/consultations, issue 20 item 3)
    "Aperta dal": "Open from",
    "Apertura (AAAA-MM-GG, vuoto: ora)": "Opening (YYYY-MM-DD, empty: now)",
    "Apri la consultazione": "Open the consultation",
    "Area": "Area",
    "Bozza di layer (versione non pubblicata)": "Draft of a layer (unpublished version)",
    "Bozza in consultazione": "Draft under consultation",
    "Chiudi ora la consultazione": "Close the consultation now",
    "Coda di moderazione": "Moderation queue",
    "Commenta la bozza": "Comment on the draft",
    "Commenti": "Comments",
    "Commenti approvati per area della bozza": "Approved comments by area of the draft",
    "Commenti pubblicati": "Published comments",
    "Commenti ricevuti": "Comments received",
    "Consultazione aperta.": "Consultation opened.",
    "Consultazione chiusa.": "Consultation closed.",
    "Consultazioni": "Consultations",
    "Elementi della bozza": "Features of the draft",
    "Elemento della bozza (facoltativo)": "Feature of the draft (optional)",
    "Esporta CSV": "Export CSV",
    "Esporta JSON": "Export JSON",
    "Fine (AAAA-MM-GG, compresa)": "End (YYYY-MM-DD, included)",
    "Identificativo (minuscole, cifre, trattini)": "Identifier (lower case, digits, hyphens)",
    "Il Comune chiede il parere dei cittadini su bozze di mappe e di confini prima di decidere. Durante il periodo indicato puoi commentare la bozza; i commenti sono pubblicati dopo la moderazione.": (  # noqa: E501
        "The council asks citizens for their views on draft maps and boundaries before "
        "deciding. During the stated period you can comment on the draft; comments are "
        "published after moderation."
    ),
    "Invia il commento": "Send the comment",
    "La bozza in GeoJSON": "The draft as GeoJSON",
    "La bozza in generale": "The draft as a whole",
    "La consultazione non è aperta: non si possono inviare commenti.": (
        "The consultation is not open: comments cannot be sent."
    ),
    "Mappa della bozza in consultazione": "Map of the draft under consultation",
    "Mappa in consultazione": "Map under consultation",
    "Nessun commento pubblicato finora.": "No comments published so far.",
    "Nessuna consultazione finora.": "No consultations so far.",
    "Nuova consultazione": "New consultation",
    "Oppure una mappa (identificativo)": "Or a map (identifier)",
    "Pagina pubblica": "Public page",
    "Periodo della consultazione:": "Consultation period:",
    "Posizione (facoltativa)": "Position (optional)",
    "Questa mappa mostra una proposta non ancora approvata, non i dati in vigore.": (
        "This map shows a proposal not yet approved, not the data in force."
    ),
    "Tutte le consultazioni": "All consultations",
    "al": "to",
    "aperta": "open",
    "approvati": "approved",
    "chiusa": "closed",
    "fino al": "until",
    "mappa": "map",
    "su": "on",
    # app/contributions/public_data.py: the public outputs of approved contributions
    "Dati aperti dei contributi di questo quartiere, per i tavoli di quartiere:": (
        "Open data of this quartiere's contributions, for the quartiere round tables:"
    ),
    "Partecipazione": "Participation",
    "Contributi approvati dai moderatori; il testo è dei cittadini.": (
        "Contributions approved by the moderators; the text is the citizens' own."
    ),
    "Risposta del Comune": "The council's answer",
    "Tutti gli elementi, sulla mappa": "All the features, on the map",
    # contributions/_licence_note.html: the open data's licence, told before sending
    "I contributi approvati sono pubblicati anche come dati aperti (CSV, GeoJSON, API), senza e-mail né impronta:": (
        "Approved contributions are also published as open data (CSV, GeoJSON, API), "
        "without e-mail or fingerprint:"
    ),
    "licenza": "licence",
    "consultazione": "consultation",
    "compreso": "inclusive",
    "Aree proposte nella bozza": "Areas proposed in the draft",
    "licenza non ancora indicata dal Comune.": "licence not yet stated by the council.",
    "Segnalazioni e proposte dei cittadini con una posizione, approvate dai moderatori "
    "del Comune, con lo stato e la risposta del Comune; senza dati personali.": (
        "Citizens' reports and proposals with a location, approved by the council's "
        "moderators, with their state and the council's answer; no personal data."
    ),
}


#: Text shown by our scripts (static/*.js, through `t(...)`), Italian -> English.
SCRIPTS: dict[str, str] = {
    # geoportale.js: the map's layers and popups
    "caricamento…": "loading…",
    "{n} senza posizione sulla mappa": "{n} without a location on the map",
    "non disponibile ({error})": "not available ({error})",
    "Posizione indicativa: l'intero {area}": "Approximate location: the whole {area}",
    "Scheda completa": "Full record",
    # geoportale.js: the year control (the map as it stood at the end of a year)
    "oggi": "today",
    "Stato alla fine del {year}": "Status at the end of {year}",
    "Il programma oggi: {n} elementi sulla mappa": "The programme today: {n} features on the map",
    "Il programma alla fine del {year}: {n} elementi sulla mappa": (
        "The programme at the end of {year}: {n} features on the map"
    ),
    # geoportale.js and app/fonti: citations of the source documents
    "riga {n}": "line {n}",
    "documento non in catalogo, riga {n}": "uncatalogued document, line {n}",
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
    # app/editing/static: the web editor
    "Avvicinati (zoom {z}) per modificare gli elementi.": "Zoom in (zoom {z}) to edit the features.",
    "Punto da modificare: trascinalo o usa le frecce": "Point being edited: drag it or use the arrow keys",
    "assegnato dal sistema": "assigned by the system",
    "Campo obbligatorio.": "Required field.",
    "(modificata, da salvare)": "(changed, not saved yet)",
    "Attenzione: è fuori dal confine del comune.": "Warning: it lies outside the comune's boundary.",
    "Campo": "Field",
    "Carico la versione attuale…": "Loading the current version…",
    "Carico l’elemento…": "Loading the feature…",
    "Ci sono modifiche non salvate. Abbandonarle?": "There are unsaved changes. Discard them?",
    "Clicca i punti del tratto di via; clicca l’ultimo punto di nuovo per finire (Esc per annullare).": (
        "Click the points of the street stretch; click the last point again to finish (Esc to cancel)."
    ),
    "Clicca i vertici dell’area; clicca il primo vertice per chiuderla (Esc per annullare).": (
        "Click the vertices of the area; click the first vertex to close it (Esc to cancel)."
    ),
    "Clicca sulla mappa dove si trova l’elemento (Esc per annullare).": (
        "Click the map where the feature is (Esc to cancel)."
    ),
    "Conflitto: l’elemento è stato modificato da un’altra persona.": (
        "Conflict: someone else changed the feature."
    ),
    "Eliminare «{title}»? L’eliminazione resta in bozza finché non viene pubblicata.": (
        "Delete “{title}”? The deletion waits in the draft until it is published."
    ),
    "Eliminato nella bozza: {title}.": "Deleted in the draft: {title}.",
    "Fonte": "Source",
    "Geometria": "Geometry",
    "Geometria: {type}.": "Geometry: {type}.",
    "Gli strumenti di disegno (Leaflet-Geoman) non sono disponibili.": (
        "The drawing tools (Leaflet-Geoman) are not available."
    ),
    "Importo": "Amount",
    "Impossibile caricare il layer.": "Cannot load the layer.",
    "Impossibile leggere l’elemento ({status}).": "Cannot read the feature ({status}).",
    "Indica la fonte della posizione (documento, rilievo, sopralluogo).": (
        "Give the source of the location (document, survey, site visit)."
    ),
    "La coda è vuota: tutti gli elementi hanno una geometria.": (
        "The queue is empty: every feature has a geometry."
    ),
    "La geometria è fuori dal confine del comune. Salvarla comunque?": (
        "The geometry lies outside the comune's boundary. Save it anyway?"
    ),
    "La sessione è scaduta: accedi di nuovo. Le modifiche non sono state salvate.": (
        "Your session has expired: log in again. The changes were not saved."
    ),
    "Le tue modifiche non sono state salvate e nulla è stato sovrascritto.": (
        "Your changes were not saved and nothing was overwritten."
    ),
    "Luogo": "Place",
    "L’elemento non è più nella bozza (forse è stato eliminato).": (
        "The feature is no longer in the draft (it may have been deleted)."
    ),
    "Modifiche annullate.": "Changes discarded.",
    "Nessun indirizzo trovato.": "No address found.",
    "Nessuna geometria: scegli come posizionare l’elemento.": (
        "No geometry: choose how to place the feature."
    ),
    "Nessuna modifica da salvare.": "Nothing to save.",
    "Non salvato.": "Not saved.",
    "Non salvato: correggi i campi segnalati.": "Not saved: correct the fields marked.",
    "Non salvato: correggi il campo segnalato.": "Not saved: correct the field marked.",
    "Non salvato: errore {status}.": "Not saved: error {status}.",
    "Non salvato: il server non risponde.": "Not saved: the server does not answer.",
    "Non salvato: {detail}": "Not saved: {detail}",
    "Nuovo elemento": "New feature",
    "Ora": "Now",
    "Punto posto su {label}.": "Point placed at {label}.",
    "Qualcun altro ha modificato questo elemento mentre lo stavi modificando.": (
        "Someone else changed this feature while you were editing it."
    ),
    "Quando l’hai letto": "When you read it",
    "Quartiere": "Neighbourhood",
    "Nell'intero quartiere: nessuna geometria propria, la mappa pubblica ne mostra il contorno.": (
        "In the whole neighbourhood: no geometry of its own; the public map shows its outline."
    ),
    "Questo quartiere non ha una geometria.": "This neighbourhood has no geometry.",
    "Ricarica la versione attuale": "Reload the current version",
    "Richiesta non valida.": "Invalid request.",
    "Salvataggio…": "Saving…",
    "Salvato nella bozza: {title}.": "Saved in the draft: {title}.",
    "Stato": "Status",
    "Tutti gli elementi hanno una geometria.": "Every feature has a geometry.",
    "Versione attuale": "Current version",
    "Versione attuale ricaricata.": "Current version reloaded.",
    "Via (stradario)": "Street (official list)",
    "come l’avevi letta": "as you read it",
    "senza geometria": "without geometry",
    "spostata o ridisegnata": "moved or redrawn",
    "{n} elementi.": "{n} features.",
    "{n} elementi: ne mostro 50, affina la ricerca.": "{n} features: showing 50, refine the search.",
    # draft.js: the draft review map
    "{name}: prima": "{name}: before",
    "{name}: dopo": "{name}: after",
}
EN.update(SCRIPTS)
