"""Reliability fixtures: a workspace (store with the fixture layers and `carico` v"A")."""

from __future__ import annotations

import pytest

from scripts.reliability.common import make_workspace


@pytest.fixture
def ws(tmp_path):
    """A fresh workspace in `tmp_path` (see scripts/reliability/common.py)."""
    workspace = make_workspace(tmp_path / "ws")
    yield workspace
    workspace.close()
