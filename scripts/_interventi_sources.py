"""What an intervention's sources say, read and checked for build_interventi.py.

Its states ("file:line|expected text|stato", dated to their document or to the year the
cited line gives: `parse_stati`), the Missione/Programma/Obiettivo headings of the 2019
report (002) above its lines (`dup_headings`), its amount, written in a line it cites or
computed as the sum of lines that state its parts (`importo_of`), and the official streets
its texts name (`streets_named`, on the app's StreetList over geodata/stradario_anncsu.csv).
Each check that fails stops the build with the row and the line.
"""

from __future__ import annotations

import functools
import re
import sys

from _geodata_common import GEODATA, ROOT, SEED_FILES, SEEDS
from _geodata_sources import check_ref, seed_line, seed_ref

DOC_YEAR = {"001": 2016, "003": None, "002": 2019, "004": None, "000": 2024}
DOC_ORDER = ["001", "003", "002", "004", "000"]
STATI = {"pianificato", "in_corso", "concluso", "sospeso", "sconosciuto"}
MISSIONE = re.compile(r"^(?:Missione\s+)?(\d{1,2})\s+-\s+(.+?)\s*$")
PROGRAMMA = re.compile(r"^(?:Programma\s+)?(\d{1,2})\.(\d\d)\s*-\s*(.+?)\.?\s*$")
STRATEGICO = re.compile(r"\b(B\d{2})\s*[-–]\s*([^*\t]+)")
OPERATIVO = re.compile(r"\b(C\d{2,4})\s*[-–]\s*([^*\t]+)")
YEAR = re.compile(r"(?:19|20)\d\d")
# An amount as the documents write it: "29.500 euro", "270.000 €", "6,7 milioni", "2,9 mln", "57 mila".
AMOUNT = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:\.\d{3})+|\d+)(?:,(\d+))?\s*(milioni|milione|mln|mila)?", re.I
)
MULTIPLIER = {"milioni": 1_000_000, "milione": 1_000_000, "mln": 1_000_000, "mila": 1_000}
RENDICONTAZIONE_FROM = 8035  # after this line 002 is a summary outside the Missione tree
STRADARIO = GEODATA / "stradario_anncsu.csv"
#: The text fields searched for street names, the place first; the first two say where the
#: intervention is, the descrizione may only mention a street.
STREET_TEXT = ("luogo", "t", "d")
PLACE_TEXT = ("luogo", "t")


@functools.cache
def _lines_002() -> tuple[str, ...]:
    return tuple((SEEDS / SEED_FILES["002"]).read_text(encoding="utf-8").splitlines())


def _programme(line: int) -> dict:
    """Missione/Programma/Obiettivo headings in force at a line of the 2019 report (002).

    Headings come in several layouts (label and value on one line, or the value alone on the
    next line), so a heading is recognised by its value: "8.02 - title" for a Programma and
    "8 - title" for its Missione.
    """
    if line >= RENDICONTAZIONE_FROM:
        return {}
    lines = _lines_002()[:line]
    found: dict = {}
    for text in reversed(lines):
        text = text.strip()
        if "programma" not in found:
            for key, rx in [
                ("obiettivo_strategico", STRATEGICO),
                ("obiettivo_operativo", OPERATIVO),
            ]:
                m = rx.search(text)
                if key not in found and m:
                    found[key] = f"{m.group(1)} - {m.group(2).strip()}"
            m = PROGRAMMA.match(text)
            if m:
                found["programma"] = f"{m.group(1)}.{m.group(2)} - {m.group(3)}"
                found["_m"] = m.group(1)
            continue
        m = MISSIONE.match(text)
        if m and m.group(1) == found["_m"]:
            found["missione"] = f"{m.group(1)} - {m.group(2)}"
            break
    found.pop("_m", None)
    return found


def parse_stato(raw: str) -> dict:
    """One status entry: "file:line|expected text|stato", optionally followed by "|anno".

    Without "|anno" the state is dated to its document (DOC_YEAR). With it, the state is
    dated to the year the cited line gives for the event (a later document telling of an
    earlier completion, or the Bilancio Sociale 2014-2016 reporting what happened in
    2017): the year must be written in the cited line, or the build stops.
    """
    head, _, last = raw.rpartition("|")
    anno = None
    if YEAR.fullmatch(last) and head.count("|") >= 2:
        anno, raw = int(last), head
    ref, _, stato = raw.rpartition("|")
    if stato not in STATI:
        raise ValueError(f"{raw}: unknown stato {stato!r}")
    code, line = check_ref(ref)
    if anno is not None and last not in seed_line(code, line):
        raise ValueError(f"{raw}|{last}: the year {last} is not written in the cited line")
    return {"code": code, "line": line, "stato": stato, "anno": anno or DOC_YEAR[code]}


def parse_stati(stati: list[str]) -> list[dict]:
    out = [parse_stato(raw) for raw in stati]
    return sorted(out, key=lambda s: DOC_ORDER.index(s["code"]))


@functools.cache
def _streets():
    """The official street list (the app's StreetList: one matcher for build and app)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from app.streets import StreetList

    return StreetList.read(STRADARIO, "ANNCSU")


def streets_named(row: dict) -> dict:
    """`codice_via`, `via_ufficiale` (only where luogo and titolo name exactly one official
    street) and `vie_ufficiali` (every one the texts name, "; "-separated, in order)."""
    found: dict[str, dict] = {}
    at_place: set[str] = set()
    for key in STREET_TEXT:
        for street in _streets().named_in(row.get(key)):
            found.setdefault(street["codice"], street)
            if key in PLACE_TEXT:
                at_place.add(street["codice"])
    named = list(found.values())
    one = found[next(iter(at_place))] if len(at_place) == 1 else None
    return {
        "codice_via": one["codice"] if one else None,
        "via_ufficiale": one["nome"] if one else None,
        "vie_ufficiali": "; ".join(s["nome"] for s in named) or None,
    }


def parse_amounts(text: str) -> list[int]:
    """The amounts in euro written in a text, as numbers ("6,7 milioni" -> 6700000)."""
    out = []
    for m in AMOUNT.finditer(text):
        value = float(f"{m[1].replace('.', '')}.{m[2] or 0}")
        out.append(round(value * MULTIPLIER.get((m[3] or "").lower(), 1)))
    return out


def _euro(value: int) -> str:
    return f"{value:,}".replace(",", ".") + " €"


def importo_of(row: dict, cited: list[tuple[str, int]]) -> tuple[dict, list[str]]:
    """`importo_euro`, `importo_calcolato`, `nota_importo` of a row, and the lines that state
    the amount (to add to its sources).

    An amount is written in a line the intervention cites. `importo_da` lists the lines
    ("file:line|expected text", the expected text holding the amount as written) when they
    are not among its status lines and `refs`; with more than one, the amount is their sum,
    computed by the build, and `nota_importo` says of what. Without `importo_da` the amount
    must be written in one of the cited lines. Anything else stops the build.
    """
    importo, parts = row.get("importo"), row.get("importo_da") or []
    if importo is None:
        if parts:
            raise ValueError(f"{row['id']}: importo_da without importo")
        return {"importo_euro": None, "importo_calcolato": None, "nota_importo": None}, []
    if not parts:
        if not any(importo in parse_amounts(seed_line(c, n)) for c, n in cited):
            raise ValueError(f"{row['id']}: importo {importo} is written in no cited line")
        return {"importo_euro": importo, "importo_calcolato": False, "nota_importo": None}, []
    stated = []
    for ref in parts:
        code, line = check_ref(ref)
        values = parse_amounts(ref.partition("|")[2])
        if len(values) != 1:
            raise ValueError(f"{ref}: the expected text must hold exactly one amount")
        stated.append((values[0], seed_ref(code, line)))
    if sum(v for v, _ in stated) != importo:
        raise ValueError(f"{row['id']}: importo {importo} is not the sum of {stated}")
    lines = [ref for _, ref in stated]
    if len(stated) == 1:
        return {"importo_euro": importo, "importo_calcolato": False, "nota_importo": None}, lines
    terms = [f"{_euro(v)} ({ref})" for v, ref in stated]
    nota = "somma calcolata di " + ", ".join(terms[:-1]) + " e " + terms[-1]
    return {"importo_euro": importo, "importo_calcolato": True, "nota_importo": nota}, lines


def dup_headings(row: dict, stati: list[dict]) -> dict:
    """Missione/Programma/Obiettivi of a row: the headings of 002 above its last 002 status
    line, or above its `dup` line ("002:line|expected text", also in `refs`) when 002 cites
    it without giving its state (a line that is not read as a state still classifies it)."""
    lines = [s["line"] for s in stati if s["code"] == "002"]
    if not lines and row.get("dup"):
        if row["dup"] not in (row.get("refs") or []):
            raise ValueError(f"{row['id']}: dup {row['dup']!r} must be one of its refs")
        code, line = check_ref(row["dup"])
        if code != "002":
            raise ValueError(f"{row['id']}: dup cites the 2019 report (002), not {code}")
        lines = [line]
    return _programme(lines[-1]) if lines else {}


def cited_lines(row: dict, stati: list[dict]) -> list[tuple[str, int]]:
    """(code, line) of every seed line a row cites: status lines, `qt_ref`, `refs`."""
    extra = [row["qt_ref"]] if row.get("qt_ref") else []
    extra += row.get("refs") or []
    return [(s["code"], s["line"]) for s in stati] + [check_ref(r) for r in extra]
