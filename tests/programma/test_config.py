"""The programme file: validated (errors name file and field); chapters and funding."""

import pytest

from app.programma.config import ProgrammeFileError, load_programme

GOOD = """
chapters:
  - {key: uno, document: doc.txt, lines: [1, 10], title: {it: Uno, en: One}}
  - {key: due, document: doc.txt, lines: [11, 20], title: {it: Due, en: Two}}
funding:
  - {key: ue, label: {it: UE, en: EU}, match: [FESR, "FSE+"]}
  - {key: comune, label: {it: Comune, en: Comune}, match: [Comune]}
  - {key: altro, label: {it: Altro, en: Other}}
"""


def _file(tmp_path, text):
    path = tmp_path / f"p{abs(hash(text))}.yaml"
    path.write_text(text)
    return str(path)


def test_chapters_and_funding(tmp_path):
    p = load_programme(_file(tmp_path, GOOD))
    assert p.chapter_of("doc.txt", 11).key == "due"
    assert p.chapter_of("doc.txt", 21) is None and p.chapter_of("other.txt", 5) is None
    assert p.funding_of("POR-FESR 2014-2020; Comune") == ("ue", "comune")
    assert p.funding_of("FSE+ 6%") == ("ue",)
    assert p.funding_of("Comunella") == ("altro",)  # whole words only
    assert p.funding_of("Fondazione") == ("altro",) and p.funding_of(None) == ()


@pytest.mark.parametrize(
    "text, message",
    [
        (GOOD.replace("lines: [11, 20]", "lines: [20, 11]"), "chapters.1: Value error, lines"),
        (GOOD.replace("key: due", "key: uno"), "every key must be unique"),
        (GOOD + "colour: red\n", "colour: Extra inputs are not permitted"),
        (GOOD.replace(", match: [Comune]", ""), "exactly one category has no `match`"),
        ("chapters: [", "not a readable YAML file"),
    ],
)
def test_a_bad_file_names_the_field(tmp_path, text, message):
    path = _file(tmp_path, text)
    with pytest.raises(ProgrammeFileError, match=message) as err:
        load_programme(path)
    assert path in str(err.value)


def test_the_organisation_file_names_a_missing_programme(tmp_path):
    from pathlib import Path

    from app.organisation import OrganisationError, load_organisation

    shipped = (Path(__file__).resolve().parents[2] / "organisation.yaml").read_text()
    org = tmp_path / "organisation.yaml"
    org.write_text(shipped.replace("path: geodata/programma.yaml", "path: nowhere.yaml")
                   .replace("path: geodata/stradario_anncsu.csv", "path: " + str(
                       Path(__file__).resolve().parents[2] / "geodata/stradario_anncsu.csv")))  # fmt: skip
    with pytest.raises(OrganisationError, match="programme.path: no file nowhere.yaml"):
        load_organisation(org)


def test_a_bad_programme_file_stops_the_start(tmp_path):
    from pathlib import Path

    from app import create_app

    root = Path(__file__).resolve().parents[2]
    (tmp_path / "programma.yaml").write_text(GOOD + "colour: red\n")
    org = tmp_path / "organisation.yaml"
    org.write_text((root / "organisation.yaml").read_text()
                   .replace("path: geodata/stradario_anncsu.csv",
                            f"path: {root / 'geodata/stradario_anncsu.csv'}")
                   .replace("path: geodata/programma.yaml", "path: programma.yaml"))  # fmt: skip
    with pytest.raises(ProgrammeFileError, match="colour"):
        create_app({"ORGANISATION": str(org), "STORE": str(tmp_path / "s.gpkg"), "BASEMAP": "none"})
