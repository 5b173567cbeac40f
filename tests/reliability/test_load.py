"""Load during change, short: readers on a live server while `carico` is re-published twice."""

from __future__ import annotations

from scripts.reliability.load import run_load


def test_readers_see_complete_single_version_responses_during_republishing(ws):
    result = run_load(ws, clients=8, seconds=4, workers=2, threads=8)
    report = "\n".join(result.lines())
    assert [rc for _, rc, _ in result.publishes] == [0, 0], report
    assert result.errors == 0, report
    assert set(result.versions_seen) == {"A", "B", "C"}, report
    assert result.requests > 100, report
