"""≥ 200 broken and hostile inputs through the CLI and the upload form: each refused with a
clear message, the process keeps serving, nothing is published or lost."""

from __future__ import annotations

import pytest

from scripts.reliability.corpus import corpus
from scripts.reliability.hostile import run_cli, run_form


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    return corpus(tmp_path_factory.mktemp("corpus"))


def test_the_corpus_covers_every_class(cases):
    assert len(cases) >= 200
    assert {c.category for c in cases} >= {
        "zip", "bomb", "traversal", "shapefile", "crs", "coordinates", "size", "not-json",
        "not-geojson", "csv", "kml", "kmz", "gpkg", "options", "type",
    }  # fmt: skip


@pytest.mark.parametrize("run", [run_cli, run_form], ids=["cli", "form"])
def test_every_bad_input_is_refused_cleanly_and_nothing_changes(ws, cases, run):
    result = run(ws, cases)
    report = "\n".join(result.lines())
    assert result.tried == len(cases)
    assert result.clean == result.tried, report
    assert result.lost == [] and result.serving, report


def test_a_real_cli_process_refuses_with_a_message_and_no_traceback(ws, cases):
    """The same refusals from a real `flask layers import` process (a sample)."""
    picked = {}
    for case in cases:
        picked.setdefault(case.category, case)
    for case in list(picked.values())[:3]:
        path = ws.root / case.filename
        path.write_bytes(case.data)
        proc = ws.cli("layers", "import", str(path), "--id", "ostile", "--publish")
        assert proc.returncode in (1, 2), (case.name, proc.stderr[-400:])
        out = proc.stderr + proc.stdout
        assert "Traceback" not in out and ("error:" in out or "NOT imported" in out), out[-400:]
