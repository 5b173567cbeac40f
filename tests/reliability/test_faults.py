"""Faults: kill -9 mid-import and mid-publish, disk full, read-only store, bad stores at start.

Every case must hold: no xfail, no "known bug" list (the store bugs these checks found are
fixed, and a regression must fail here). The slow environment checks (disk full, read-only,
every kind of bad store) run with GEOPORTALE_RELIABILITY=full, and always in
`scripts/check_reliability.py`.
"""

from __future__ import annotations

import os
import random

import pytest

from scripts.reliability import environment
from scripts.reliability.faults import kill_mid_import, kill_mid_publish

FULL = os.environ.get("GEOPORTALE_RELIABILITY") == "full"
slow = pytest.mark.skipif(
    not FULL, reason="slow: GEOPORTALE_RELIABILITY=full or scripts/check_reliability.py"
)


def _judge(case) -> None:
    assert case.ok, f"{case.name}: {case.detail}"
    assert case.lost == [], f"{case.name}: lost {case.lost}"


def test_kill_mid_import_loses_nothing(ws):
    _judge(kill_mid_import(ws, random.Random(3), features=40000))


def test_kill_mid_publish_keeps_the_old_version(ws):
    _judge(kill_mid_publish(ws))


@slow
def test_disk_full(tmp_path):
    cases = environment.disk_full(tmp_path)
    for case in cases:
        _judge(case)
        assert "unchanged" in case.detail, case.detail


@slow
def test_read_only_store(tmp_path):
    cases = environment.read_only(tmp_path)
    for case in cases:
        _judge(case)
    assert "unchanged" in cases[0].detail and "unchanged" in cases[1].detail


def test_corrupt_store_at_start_is_set_aside_and_rebuilt(tmp_path):
    cases = environment.bad_starts(tmp_path, only=("garbage",))
    assert len(cases) == 1
    for case in cases:
        assert case.ok, f"{case.name}: {case.detail}"


@slow
def test_every_bad_store_at_start_gives_a_message_not_a_traceback(tmp_path):
    for case in environment.bad_starts(tmp_path):
        assert case.ok, f"{case.name}: {case.detail}"
