"""The replica tests' clusters: one primary and one hot standby for the whole module."""

from __future__ import annotations

import pytest

from app.stores.build import sync_shipped
from scripts.reliability.clusters import ClustersUnavailable, make_pair, remove
from tests.conftest import DATA


@pytest.fixture(scope="module")
def pair(fixture_registry):
    """(primary, standby, primary URL, standby URL): the fixture layers on the primary,
    streamed to the standby; both removed after the module."""
    try:
        primary, standby, db, work = make_pair(
            lambda url: sync_shipped(fixture_registry, DATA, DATA / "layers", url)
        )
    except ClustersUnavailable as exc:
        pytest.skip(str(exc))
    try:
        yield primary, standby, primary.url(db), standby.url(db)
    finally:
        remove(primary, standby, work)
