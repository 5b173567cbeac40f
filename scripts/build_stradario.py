"""Build geodata/stradario_anncsu.csv: Cremona's official street list, for the editor.

Source: the ANNCSU street list (Archivio Nazionale dei Numeri Civici e delle Strade
Urbane, Agenzia delle Entrate and ISTAT) of Cremona (Belfiore code D150) as extracted by
the association onData from the ANNCSU API on 2025-02-09, CC-BY 4.0, in
../shared/reference-geodata/anncsu-stradario-cremona/ (its README gives the commit).
The credit line onData asks for, and the snapshot date, are in docs/data.md and in the
`streets.attribution` of organisation.yaml, which the editor shows with the list.

Columns written (one row per street, sorted by `codice`, UTF-8, `\\n` line ends):

- `codice`: ANNCSU's national street id (`Progressivo_nazionale`), what a feature stores;
- `codice_comunale`: the council's own street code (`Codice_comunale`);
- `dug`, `denominazione`: street type and name exactly as ANNCSU spells them (upper case,
  an accent written as an apostrophe: `LIBERTA'`);
- `nome`: a display form derived here by rule (`Piazza della Libertà`): see `display_name`.

    python3 scripts/build_stradario.py            # write the file
    python3 scripts/build_stradario.py --check    # exit 1 if the committed file differs
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SOURCE = (
    ROOT.parent
    / "shared"
    / "reference-geodata"
    / "anncsu-stradario-cremona"
    / "cremona_D150_stradario_anncsu_20250209.csv"
)
OUTPUT = ROOT / "geodata" / "stradario_anncsu.csv"
BELFIORE = "D150"
COLUMNS = ["codice", "codice_comunale", "dug", "denominazione", "nome"]

# Articles, prepositions and conjunctions written in lower case inside a name.
SMALL = {
    "a", "ad", "agli", "ai", "al", "alla", "alle", "all", "con", "d", "da", "dagli", "dai",
    "dal", "dall", "dalla", "dalle", "de'", "degli", "dei", "del", "dell", "della", "delle",
    "dello", "di", "e", "ed", "ex", "in", "nel", "nell", "nella", "per", "su", "sul", "sull",
    "sulla",
}  # fmt: skip
# Words whose final apostrophe is a cut (Ca' = casa, de' = dei, Fra' = frate), not an accent.
TRUNCATED = {"CA'", "DE'", "FRA'", "PO'"}
GRAVE = {"A": "À", "E": "È", "I": "Ì", "O": "Ò", "U": "Ù"}
# Surnames whose particle the rule would lower (Giuseppe Di Vittorio, the trade unionist).
SURNAMES = {"Giuseppe di Vittorio": "Giuseppe Di Vittorio", "Antonio di Dio": "Antonio Di Dio"}


def _word(word: str) -> str:
    """One upper-case ANNCSU word in display form."""
    if any(c.isdigit() for c in word):
        return word  # A21, 99
    if word.endswith("'") and word not in TRUNCATED and word[-2:-1] in GRAVE:
        word = word[:-2] + GRAVE[word[-2]]  # LIBERTA' -> LIBERTÀ
    head, apostrophe, tail = word.partition("'")
    if apostrophe and tail:  # DELL'AQUILA, SANT'ANTONIO, D'ITALIA
        lead = head.lower() if head.lower() in SMALL else head.capitalize()
        return f"{lead}'{tail.capitalize()}"
    lower = word.lower()
    if lower in SMALL:
        return lower
    return lower[:1].upper() + lower[1:]


def display_name(dug: str, name: str) -> str:
    """`VIA`, `DELL'AQUILA` -> `Via dell'Aquila`; `PIAZZA`, `DELLA LIBERTA'` -> `Piazza della
    Libertà`. A rule, not a dictionary: ANNCSU's own spelling stays in `denominazione`."""
    text = " ".join(_word(w) for w in name.split())
    for wrong, right in SURNAMES.items():
        text = text.replace(wrong, right)
    return f"{dug.strip().capitalize()} {text}"


def build(source: Path = SOURCE) -> bytes:
    """The output file's bytes, from the onData extract."""
    with source.open(encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    out, seen = [], set()
    for row in rows:
        if row["codice_belfiore"] != BELFIORE:
            raise ValueError(f"{source}: a street of another comune ({row['codice_belfiore']})")
        codice = row["Progressivo_nazionale"].strip()
        dug, name = row["DUG"].strip(), row["DUF"].strip()
        if not codice.isdigit() or codice in seen or not dug or not name:
            raise ValueError(f"{source}: bad or repeated row {row}")
        seen.add(codice)
        out.append([codice, row["Codice_comunale"].strip(), dug, name, display_name(dug, name)])
    out.sort(key=lambda r: int(r[0]))
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(COLUMNS)
    writer.writerows(out)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--source", type=Path, default=SOURCE)
    parser.add_argument("--check", action="store_true", help="compare with the committed file")
    args = parser.parse_args(argv)
    data = build(args.source)
    if args.check:
        same = OUTPUT.exists() and OUTPUT.read_bytes() == data
        print(f"{OUTPUT.relative_to(ROOT)}: {'up to date' if same else 'DIFFERS from a build'}")
        return 0 if same else 1
    OUTPUT.write_bytes(data)
    rows = data.count(b"\n") - 1
    print(f"{OUTPUT.relative_to(ROOT)}: {rows} streets")
    return 0


if __name__ == "__main__":
    sys.exit(main())
