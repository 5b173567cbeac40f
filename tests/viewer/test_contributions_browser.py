"""The citizens' contributions layer on the map in Chromium: off by default, listed with its
legend of states, loaded from the OGC API collection when switched on, one marker per
approved located segnalazione or proposta, coloured by its state's type."""

from __future__ import annotations

import pytest

from tests.chromium import wait_for_js


def _seed(store_path):
    """Three contributions written straight into the store: two approved (one of them
    resolved), one still awaiting moderation."""
    from app.stores.contributions import NewContribution, RateLimits
    from app.stores.gpkg import GpkgStore

    store = GpkgStore(store_path)
    limits = RateLimits(per_address=100, per_target=100, window_seconds=600)
    for n, (kind, status, state) in enumerate(
        [
            ("segnalazione", "approvato", "risolta"),
            ("proposta", "approvato", "ricevuta"),
            ("segnalazione", "in_moderazione", "ricevuta"),
        ]
    ):
        cid = f"cbrowser{n}"
        store.contribution_add(
            NewContribution(
                id=cid,
                kind=kind,
                target_layer=None,
                target_id=None,
                quartiere=16,
                text=f"Contributo di prova numero {n}",
                name=None,
                lon=10.02 + n / 100,
                lat=45.13,
                state="ricevuta",
                follow_digest=f"digest{n}",
                email="nascosta@example.org",
                rate_key=f"key{n}",
            ),
            limits,
        )
        if status == "approvato":
            store.contribution_moderate(cid, "test", "approve", {"status": status, "state": state})
    store.close()


@pytest.fixture
def served(store_path, request):
    _seed(store_path)
    return request.getfixturevalue("live_server")


def test_the_contributions_layer_is_off_then_drawn_by_state(browser, served):
    page = browser.new_page(viewport={"width": 1280, "height": 800}, locale="it-IT")
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(served + "/")
    wait_for_js(page, "document.querySelectorAll('input[name=layer]:disabled').length === 0")
    box = page.get_by_label("Segnalazioni e proposte dei cittadini")
    assert not box.is_checked()
    legend = page.locator("[data-layer-legend=contributi]").inner_text()
    assert "risolta" in legend and "ricevuta" in legend
    paths = page.locator(".leaflet-map-pane path.leaflet-interactive")
    before = paths.count()
    box.check()
    wait_for_js(
        page,
        f"document.querySelectorAll('.leaflet-map-pane path.leaflet-interactive').length === {before + 2}",
    )
    fills = page.evaluate(
        "Array.from(document.querySelectorAll('.leaflet-map-pane path.leaflet-interactive'))"
        ".map(p => p.getAttribute('fill'))"
    )
    assert "#1b9e77" in fills and "#d95f02" in fills  # fixed: green; open: orange
    assert "nascosta@example.org" not in page.content()
    assert errors == []
    page.close()
