"""Thin views of the sources: `/fonti` (the documents) and `/fonti/<id>` (one document,
the passage around `?riga=`, the features citing it); the `cite` template filter."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, Flask, current_app, render_template, request, url_for

from app.errors import NotFound
from app.fonti import (
    Catalogue,
    Document,
    cite,
    load_catalogue,
    passage,
    read_text,
    requested_lines,
    script_table,
    where,
)
from app.fonti.citing import citing
from app.i18n import current_language
from app.i18n import gettext as _
from app.services import services

bp = Blueprint("fonti", __name__)


def catalogue() -> Catalogue:
    """The catalogue named by FONTI_CATALOGUE (relative: inside DATA_ROOT)."""
    settings = current_app.config["GEOPORTALE"]
    return load_catalogue(Path(settings["DATA_ROOT"]) / settings["FONTI_CATALOGUE"])


def document_url(doc: Document, line, external: bool = False) -> str:
    """The document's page at `line` (None: the page itself)."""
    if line is None:
        return url_for("fonti.document", doc_id=doc.id, _external=external)
    return url_for(
        "fonti.document", doc_id=doc.id, riga=line, _anchor=f"riga-{line}", _external=external
    )


def cite_filter(value):
    """Template filter: a value with its document references as linked citations (other
    values, numbers included, stay as they are)."""
    if not isinstance(value, str) or ".txt riga " not in value:
        return value
    return cite(value, catalogue(), current_language(), document_url)


def sources_for_scripts(external: bool = False) -> dict:
    """The catalogue as the map's scripts use it (popups); `external`: absolute links."""
    return script_table(catalogue(), lambda d, line: document_url(d, line, external))


@bp.get("/fonti")
def index():
    docs = catalogue().documenti
    svc = services()
    counts = {d.id: len(citing(svc, d.file)) for d in docs}
    return render_template("fonti/index.html", documents=docs, counts=counts)


@bp.get("/fonti/<doc_id>")
def document(doc_id: str):
    doc = catalogue().by_id(doc_id)
    if doc is None:
        raise NotFound(_("Nessun documento corrisponde a") + f" '{doc_id[:60]}'.")
    lines = requested_lines(request.args.getlist("riga"), doc)
    text = read_text(doc, current_app.config["GEOPORTALE"]["DOCUMENTS_DIR"])
    shown = passage(text, [n for n in lines if n <= len(text)]) if text and lines else []
    return render_template(
        "fonti/document.html",
        doc=doc,
        lines=lines,
        text_available=text is not None,
        passage=shown,
        features=citing(services(), doc.file),
    )


def init_app(app: Flask) -> None:
    app.register_blueprint(bp)
    app.add_template_filter(cite_filter, "cite")
    app.jinja_env.globals["fonti_for_scripts"] = sources_for_scripts
    app.jinja_env.globals["fonti_where"] = lambda doc, line: where(doc, line, current_language())
