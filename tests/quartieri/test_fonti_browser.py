"""Map popups cite source documents by title and page, never by file name (real browser)."""

from __future__ import annotations

import re

from tests.chromium import wait_for_js

FILE_NAME = re.compile(r"doc-[a-z]\.txt|\d{3}_[0-9a-f]{16}\.txt")

POPUPS = """async () => {
  const cfg = Geoportale.config.layers.filter(l => l.id === "interventi")[0];
  const doc = await (await fetch(cfg.itemsUrl + "?f=json&limit=100")).json();
  return doc.features.map(f => Geoportale.popupHtml(cfg, f));
}"""


def test_popups_show_citations(browser, citizen_server):
    context = browser.new_context(locale="it-IT")
    page = context.new_page()
    try:
        page.goto(citizen_server + "/")
        page.wait_for_selector("html[data-geoportale=ready]")
        wait_for_js(page, "typeof Geoportale.config === 'object'")
        popups = page.evaluate(POPUPS)
        assert len(popups) == 6
        for html in popups:
            assert not FILE_NAME.search(html), html
        first = popups[0]  # int-1: doc-b.txt riga 20 (fonte), doc-a.txt riga 10 (fonti)
        assert (
            "<a class='fonte' href='/fonti/documento-a?riga=10#riga-10'>"
            "Programma di prova «Città che si parla», p. 1</a>"
        ) in first
        assert ">Bilancio di prova 2014-2016, riga 20</a>" in first
        assert any("documento non in catalogo, riga 5" in h for h in popups)  # doc-c.txt
    finally:
        context.close()
