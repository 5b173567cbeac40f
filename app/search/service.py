"""The search service: one index per process, rebuilt when what the store serves changes."""

from __future__ import annotations

from app.quartieri.data import load_areas
from app.search.index import SearchIndex
from app.search.sources import build_docs
from app.services import Services


def search_index(svc: Services) -> SearchIndex:
    """The index of every published layer, cached until the store's generation moves."""

    def build() -> SearchIndex:
        return SearchIndex(build_docs(svc, svc.served_specs(), load_areas(svc)))

    return svc.cached("search", build)


def search(svc: Services, query: str, limit: int = 10, lang: str = "it") -> list[dict]:
    """Results for `query`, best first, with layer titles in `lang`."""
    results = search_index(svc).search(query, limit)
    for r in results:
        titles = r.pop("layer_title")
        r["layer_title"] = titles.get(lang) or titles.get("it")
    return results
