"""Readable, checkable sources: the catalogue of cited documents and their citations.

The data cites a council document by file name and line ("000_dadb076697da8f05.txt riga
695", several joined by "; "): machine-readable, kept as it is in the API and downloads.
A person reads a citation instead: the document's title and the printed page where the
catalogue knows it ("Programma di mandato 2024-2029 «…», p. 19"), linking to
`/fonti/<id>?riga=695`, the page that shows the passage and every feature citing it.

The catalogue (setting FONTI_CATALOGUE, built by scripts/build_fonti.py) is a YAML list of
documents validated here. Its page markers say "line `riga` is on page `pagina`": `inizio`
(a page starts there, so earlier lines are on earlier pages) or `indice` (a heading the
document's index puts on that page). A line between two markers gets a page range; one
outside any bound gets its line number only. The texts themselves are not shipped: the
passage is read from DOCUMENTS_DIR when that holds the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Literal

import yaml
from markupsafe import Markup, escape
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from app.errors import GeoportaleError, InvalidParameter
from app.i18n import translate

#: A reference to a line of a source document, as the data writes it.
REF = re.compile(r"\b([\w.-]+\.txt) riga (\d+)")
#: Lines shown around the cited ones.
CONTEXT = 6


class FontiError(GeoportaleError):
    code = "invalid-sources-catalogue"
    title = "Invalid sources catalogue"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class PageMark(_Strict):
    riga: int = Field(ge=1)
    pagina: int = Field(ge=1)
    tipo: Literal["inizio", "indice"]


class Document(_Strict):
    id: str = Field(pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
    file: str = Field(pattern=r"^[\w.-]+$")
    titolo: str
    ente: str
    data: str | None = None
    periodo: str | None = None
    tipo: str
    link: str | None = Field(default=None, pattern=r"^https?://")
    nota: str | None = None
    righe: int = Field(ge=1)
    pagine: tuple[PageMark, ...] = ()

    def page_bounds(self, line: int) -> tuple[int | None, int | None]:
        """The lowest and highest printed page `line` can be on (None: no bound)."""
        lo = hi = None
        for m in self.pagine:
            if line >= m.riga:
                lo = m.pagina if lo is None else max(lo, m.pagina)
            if line < m.riga or (m.tipo == "indice" and line == m.riga):
                top = m.pagina - 1 if line < m.riga and m.tipo == "inizio" else m.pagina
                hi = top if hi is None else min(hi, top)
        return lo, hi

    def page_label(self, line: int) -> tuple[str | None, bool]:
        """("p. 19", True) for a known page, ("pp. 20-30", False) for a range, else None."""
        lo, hi = self.page_bounds(line)
        if lo is not None and lo == hi:
            return f"p. {lo}", True
        if lo is not None and hi is not None and lo < hi:
            return f"pp. {lo}-{hi}", False
        return None, False


class Catalogue(_Strict):
    documenti: tuple[Document, ...] = ()

    def by_file(self, name: str) -> Document | None:
        return next((d for d in self.documenti if d.file == name), None)

    def by_id(self, doc_id: str) -> Document | None:
        return next((d for d in self.documenti if d.id == doc_id), None)


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Catalogue:
    try:
        raw = yaml.safe_load(Path(path).read_text(encoding="utf-8")) or {}
        return Catalogue.model_validate(raw)
    except (OSError, yaml.YAMLError, ValidationError) as exc:
        raise FontiError(f"{Path(path).name}: {exc}") from None


def load_catalogue(path: str | Path) -> Catalogue:
    """The catalogue in `path` (an empty one if the file is absent), re-read when it changes."""
    p = Path(path)
    if not str(path) or not p.is_file():
        return Catalogue()
    return _load(str(p), p.stat().st_mtime)


@dataclass(frozen=True)
class Ref:
    file: str
    line: int


def parse_refs(text) -> list[Ref]:
    """Every document reference in `text` ("A riga 3; B riga 7" -> two refs)."""
    return [Ref(m.group(1), int(m.group(2))) for m in REF.finditer(str(text or ""))]


def where(doc: Document, line: int, lang: str) -> str:
    """The place in the document: "p. 19", "pp. 20-30, riga 695" or "riga 695"."""
    label, exact = doc.page_label(line)
    if exact:
        return label
    row = translate("riga {n}", lang).format(n=line)
    return f"{label}, {row}" if label else row


def citation_text(doc: Document | None, line: int, lang: str) -> str:
    if doc is None:  # a document outside the catalogue: never its file name
        return translate("documento non in catalogo, riga {n}", lang).format(n=line)
    return f"{doc.titolo}, {where(doc, line, lang)}"


def cite(text, catalogue: Catalogue, lang: str, url_for_doc) -> Markup:
    """`text` (escaped) with every document reference replaced by a linked citation.

    `url_for_doc(doc, line)` gives the link; text that is not a reference (an OpenStreetMap
    credit, a gazetteer line) stays as it is.
    """
    if text is None:
        return Markup("")
    text = str(text)
    out, last = [], 0
    for m in REF.finditer(text):
        out.append(escape(text[last : m.start()]))
        doc, line = catalogue.by_file(m.group(1)), int(m.group(2))
        label = escape(citation_text(doc, line, lang))
        if doc is None:
            out.append(label)
        else:
            out.append(
                Markup('<a class="fonte" href="{}">{}</a>').format(url_for_doc(doc, line), label)
            )
        last = m.end()
    out.append(escape(text[last:]))
    return Markup("").join(out)


def readable(text, catalogue: Catalogue, lang: str) -> str:
    """`text` as plain text with every document reference replaced by its citation."""
    return REF.sub(
        lambda m: citation_text(catalogue.by_file(m.group(1)), int(m.group(2)), lang),
        str(text or ""),
    )


def page_spans(doc: Document) -> list[list]:
    """[[first line, page label or None, exact], ...]: runs of lines with the same label.

    What the map's scripts need to write a citation without the page logic."""
    spans: list[list] = []
    for line in range(1, doc.righe + 1):
        label, exact = doc.page_label(line)
        if not spans or spans[-1][1:] != [label, exact]:
            spans.append([line, label, exact])
    return spans


def script_table(catalogue: Catalogue, url_for_doc) -> dict:
    """Per cited file name: title, page spans and link template (`__LINE__`), for scripts."""
    return {
        d.file: {"title": d.titolo, "spans": page_spans(d), "url": url_for_doc(d, "__LINE__")}
        for d in catalogue.documenti
    }


@dataclass(frozen=True)
class PassageLine:
    number: int
    text: str
    cited: bool


def requested_lines(values: list[str], doc: Document) -> list[int]:
    """The `riga` parameters as line numbers inside the document; InvalidParameter if not."""
    lines = []
    for v in values:
        if not v.isdigit() or not 1 <= int(v) <= doc.righe:
            raise InvalidParameter(
                f"riga={v[:20]!r}: il documento ha le righe da 1 a {doc.righe} / "
                f"the document has lines 1 to {doc.righe}",
                "riga",
            )
        lines.append(int(v))
    return sorted(set(lines))


def read_text(doc: Document, documents_dir: str) -> list[str] | None:
    """The document's lines from DOCUMENTS_DIR, or None where that file is not available."""
    if not documents_dir:
        return None
    path = Path(documents_dir) / doc.file
    try:
        return path.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return None


def passage(lines: list[str], cited: list[int], context: int = CONTEXT) -> list[PassageLine]:
    """The cited lines with `context` lines around them (one stretch per group)."""
    keep = set()
    for n in cited:
        keep.update(range(max(1, n - context), min(len(lines), n + context) + 1))
    return [PassageLine(n, lines[n - 1], n in cited) for n in sorted(keep)]


def readme_section(values, catalogue: Catalogue, url_for_doc) -> str:
    """The downloads' LEGGIMI.txt key to the references found in `values` (a layer's text):
    one line per cited document, its file name as the data writes it, then its citation."""
    files = sorted({r.file for v in values if v for r in parse_refs(v)})
    if not files:
        return ""
    lines = [
        "Fonti citate / Cited sources",
        "(nei campi, «<file> riga N» è la riga N del documento / in the fields, "
        "'<file> riga N' is line N of the document)",
    ]
    for name in files:
        doc = catalogue.by_file(name)
        if doc is None:
            lines.append(f"{name}: documento non in catalogo / uncatalogued document")
            continue
        when = doc.periodo or doc.data or "s.d."
        lines.append(f"{name}: {doc.titolo}; {doc.ente}; {when}; {doc.tipo}; {url_for_doc(doc, 1)}")
    return "\n".join(lines) + "\n"
