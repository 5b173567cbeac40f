"""The sources catalogue (geodata/fonti.yaml, its build) and citations (app/fonti)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from app.errors import InvalidParameter
from app.fonti import (
    Catalogue,
    FontiError,
    cite,
    load_catalogue,
    parse_refs,
    passage,
    readable,
    readme_section,
    requested_lines,
)
from scripts import build_fonti

DATA = Path(__file__).parent / "data" / "fonti"


def url(doc, line):
    return f"/fonti/{doc.id}?riga={line}"


@pytest.fixture(scope="module")
def test_catalogue() -> Catalogue:
    return load_catalogue(DATA / "catalogo.yaml")


@pytest.fixture(scope="module")
def shipped() -> Catalogue:
    return load_catalogue(build_fonti.OUTPUT)


def test_build_is_byte_identical_to_the_committed_catalogue():
    if not build_fonti.SEEDS.is_dir():
        pytest.skip(f"seed documents not available at {build_fonti.SEEDS} (../shared)")
    assert build_fonti.build() == build_fonti.OUTPUT.read_bytes(), "run scripts/build_fonti.py"


def test_shipped_catalogue_covers_every_document_the_data_cites(shipped):
    root = Path(__file__).resolve().parents[1] / "geodata"
    cited = {r.file for p in root.glob("*.geojson") for r in parse_refs(p.read_text("utf-8"))}
    assert cited and cited <= {d.file for d in shipped.documenti}
    assert len({d.id for d in shipped.documenti}) == len(shipped.documenti) == 5
    # Only facts: no document text travels with the catalogue.
    assert max(len(line) for line in build_fonti.OUTPUT.read_text("utf-8").splitlines()) < 120


def test_shipped_pages_from_footers_and_index(shipped):
    mandato = shipped.by_id("programma-mandato-2024-2029")
    # The footer "19" at line 551 and "30" at line 1048: pages 20-30 lie between them.
    assert mandato.page_label(695) == ("pp. 20-30", False)
    assert mandato.page_label(300) == (None, False)  # before the first footer: no bound
    bilancio = shipped.by_id("bilancio-sociale-2014-2016")
    # The index: "Cremona in rete p. 21" is the heading at line 702, the next at 723 (p. 24).
    assert bilancio.page_label(702) == ("p. 21", True)
    assert bilancio.page_label(710) == ("pp. 21-24", False)


def test_page_bounds_of_page_starts(test_catalogue):
    a = test_catalogue.by_id("documento-a")
    assert a.page_label(1) == ("p. 1", True)
    assert a.page_label(25) == ("p. 1", True)
    assert a.page_label(26) == ("p. 2", True)
    assert a.page_label(60) == (None, False)  # after the last start: the page may be any later


def test_parse_refs():
    refs = parse_refs("000_dadb076697da8f05.txt riga 695; doc-b.txt riga 3")
    assert [(r.file, r.line) for r in refs] == [("000_dadb076697da8f05.txt", 695), ("doc-b.txt", 3)]
    assert parse_refs("OpenStreetMap (ODbL), punto Nominatim 'Piazza Roma'") == []


def test_cite_links_citations_and_keeps_other_text(test_catalogue):
    html = str(cite("doc-a.txt riga 30; doc-c.txt riga 5 <b>", test_catalogue, "it", url))
    assert html == (
        '<a class="fonte" href="/fonti/documento-a?riga=30">'
        "Programma di prova «Città che si parla», p. 2</a>; "
        "documento non in catalogo, riga 5 &lt;b&gt;"
    )
    en = str(cite("doc-b.txt riga 20", test_catalogue, "en", url))
    assert en.endswith(">Bilancio di prova 2014-2016, line 20</a>")
    assert str(cite("gazetteer 'Palazzo Affaitati'", test_catalogue, "it", url)) == (
        "gazetteer &#39;Palazzo Affaitati&#39;"
    )


def test_readable_and_readme(test_catalogue):
    assert (
        readable("doc-b.txt riga 3", test_catalogue, "it") == "Bilancio di prova 2014-2016, riga 3"
    )
    key = readme_section(["doc-a.txt riga 10", None, "doc-c.txt riga 1"], test_catalogue, url)
    assert "doc-a.txt: Programma di prova «Città che si parla»; Comune di Prova" in key
    assert "doc-c.txt: documento non in catalogo" in key
    assert readme_section(["no refs"], test_catalogue, url) == ""


def test_requested_lines_and_passage(test_catalogue):
    a = test_catalogue.by_id("documento-a")
    assert requested_lines(["12", "10", "12"], a) == [10, 12]
    for bad in ("0", "71", "x"):
        with pytest.raises(InvalidParameter):
            requested_lines([bad], a)
    lines = [f"l{n}" for n in range(1, 31)]
    shown = passage(lines, [2, 20], context=2)
    assert [p.number for p in shown] == [1, 2, 3, 4, 18, 19, 20, 21, 22]
    assert [p.number for p in shown if p.cited] == [2, 20]


def test_bad_catalogue_is_a_clear_error(tmp_path):
    bad = tmp_path / "fonti.yaml"
    bad.write_text(yaml.safe_dump({"documenti": [{"id": "Not A Slug", "file": "x.txt"}]}))
    with pytest.raises(FontiError, match="fonti.yaml"):
        load_catalogue(bad)
    assert load_catalogue(tmp_path / "absent.yaml") == Catalogue()
