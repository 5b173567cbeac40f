"""Build geodata/fonti.yaml: the catalogue of the council documents the data cites.

Each record names one source document by a short id (its `/fonti/<id>` page), with the
file name the data's references use ("000_dadb076697da8f05.txt riga 695"), its title,
issuer, date or period, kind, a link to the original where one is known (none is, here),
and the printed-page markers found in the text. Only these facts are written: the texts
themselves stay in ../shared/seeds (never committed).

Page markers, each "line `riga` is on printed page `pagina`":

- `inizio` (a page starts at that line): derived from a page number printed alone on a
  line at the foot of a page (000 line 551 is "19": page 20 starts at line 552). Lines
  before it are on earlier pages.
- `indice` (the line is on that page): a section heading whose page the document's own
  index gives (001: "Cremona in rete **p. 21**", heading at line 702).

Lone numbers in 001 and 002 are chart and table values, not page numbers: only 000 is
read for footers. Rebuilt byte for byte from the same seeds.

    python3 scripts/build_fonti.py            # write the file
    python3 scripts/build_fonti.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"
OUTPUT = ROOT / "geodata" / "fonti.yaml"

#: The curated records (facts read from the texts and ../shared/research/seeds_*.md).
DOCUMENTS = [
    {
        "id": "programma-mandato-2024-2029",
        "file": "000_dadb076697da8f05.txt",
        "titolo": "Programma di mandato 2024-2029 «Cremona che si parla»",
        "ente": "Comune di Cremona",
        "data": "2024",
        "periodo": "2024-2029",
        "tipo": "programma di mandato",
        "link": None,
        "nota": "Il periodo è dedotto dal testo (variante al PGT del 2024, «prossimi cinque "
        "anni»); il testo è l'OCR di un PDF e ne riporta due numeri di pagina (19 e 30).",
        "pagine_da": "piede",
    },
    {
        "id": "bilancio-sociale-2014-2016",
        "file": "001_93d3045a65cd4397.txt",
        "titolo": "Bilancio Sociale 2014-2016",
        "ente": "Comune di Cremona",
        "data": "2016-12-31",
        "periodo": "2014-2016",
        "tipo": "bilancio sociale",
        "link": None,
        "nota": "Primo bilancio sociale del Comune: dati al 31 dicembre 2016, alcuni "
        "aggiornati al 2017. Le pagine vengono dall'indice del documento.",
        "pagine_da": "indice",
    },
    {
        "id": "stato-attuazione-programmi-2019",
        "file": "002_8df21da1538a311c.txt",
        "titolo": "Stato di attuazione dei Programmi e obiettivi al 30 giugno 2019 (DUP 2019)",
        "ente": "Comune di Cremona, Segreteria Generale",
        "data": "2019-06-30",
        "periodo": "2019",
        "tipo": "DUP",
        "link": None,
        "nota": "Allegato 6: verifica infrannuale del Documento Unico di Programmazione 2019.",
        "pagine_da": None,
    },
    {
        "id": "linee-di-mandato-pagina-web",
        "file": "003_774b284fca8b4d41.txt",
        "titolo": "Linee di mandato: Cremona internazionale, smart city, città della pace",
        "ente": "Comune di Cremona",
        "data": None,
        "periodo": None,
        "tipo": "programma di mandato",
        "link": None,
        "nota": "Pagina web senza data, con il rimando «Scarica pdf Linee di mandato».",
        "pagine_da": None,
    },
    {
        "id": "strategia-sus-centro-storico",
        "file": "004_46e4a96a3b25998b.txt",
        "titolo": "Strategia di Sviluppo Urbano Sostenibile (SUS) del Centro Storico: "
        "schema logico",
        "ente": "Comune di Cremona",
        "data": None,
        "periodo": None,
        "tipo": "strategia",
        "link": None,
        "nota": "Senza data; i fondi FESR e FSE+ indicano la programmazione europea "
        "2021-2027 (dedotto).",
        "pagine_da": None,
    },
]

_LONE_NUMBER = re.compile(r"^\s*(\d{1,3})\s*$")
_INDEX_ENTRY = re.compile(r"^(.*?)\s*\*\*p\.\s*(\d+)\*\*\s*$")
_CHAPTER = re.compile(r"^(\d)\.\s")


def footer_pages(lines: list[str]) -> list[dict]:
    """Page starts from page numbers printed alone on a line (a page's footer)."""
    return [
        {"riga": i + 2, "pagina": int(m.group(1)) + 1, "tipo": "inizio"}
        for i, line in enumerate(lines)
        if (m := _LONE_NUMBER.match(line))
    ]


def index_pages(lines: list[str]) -> list[dict]:
    """Section headings placed on the pages the document's index gives.

    An index entry is "Title **p. N**" (a chapter's title starts on the line before:
    "1. Una città attrattiva" / "per chi la vive e la scopre **p. 38**"). Headings follow
    the index's order: each is the first line after the previous one that, case-folded,
    starts or ends with the entry's title, or starts with the chapter's first two words
    ("1. una").
    """
    entries, last = [], 0
    for i, line in enumerate(lines):
        m = _INDEX_ENTRY.match(line)
        if not m:
            continue
        title, page = m.group(1).strip(), int(m.group(2))
        previous = lines[i - 1].strip() if i >= 1 else ""
        chapter = _CHAPTER.match(previous)
        entries.append((previous if chapter else title, page, bool(chapter)))
        last = i
    found, start = [], last + 1
    for key, page, chapter in entries:
        key = " ".join(key.casefold().split()[:2]) if chapter else key.casefold()
        for j in range(start, len(lines)):
            text = lines[j].strip().casefold()
            if text.startswith(key) or (not chapter and text.endswith(key)):
                found.append({"riga": j + 1, "pagina": page, "tipo": "indice"})
                start = j + 1
                break
        else:
            raise SystemExit(f"index entry {key!r} (p. {page}) has no heading in the text")
    return sorted(found, key=lambda f: f["riga"])


def record(doc: dict) -> dict:
    path = SEEDS / doc["file"]
    lines = path.read_text(encoding="utf-8").splitlines()
    pages = {"piede": footer_pages, "indice": index_pages}.get(doc["pagine_da"])
    out = {k: v for k, v in doc.items() if k != "pagine_da"}
    out["righe"] = len(lines)
    out["pagine"] = pages(lines) if pages else []
    return out


def build() -> bytes:
    header = (
        "# Generated by scripts/build_fonti.py from the seed documents: do not edit.\n"
        "# The catalogue of the documents the data cites (docs/data.md, 'Sources').\n"
    )
    body = yaml.safe_dump(
        {"documenti": [record(d) for d in DOCUMENTS]},
        allow_unicode=True,
        sort_keys=False,
        width=100,
    )
    return (header + body).encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare, do not write")
    args = parser.parse_args(argv)
    data = build()
    if args.check:
        same = OUTPUT.is_file() and OUTPUT.read_bytes() == data
        print("up to date" if same else f"{OUTPUT} differs: run scripts/build_fonti.py")
        return 0 if same else 1
    OUTPUT.write_bytes(data)
    print(f"wrote {OUTPUT}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
