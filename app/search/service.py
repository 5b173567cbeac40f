"""The search service: one index per process, rebuilt when a published layer changes."""

from __future__ import annotations

from app.quartieri.data import cached, load_areas, served_specs, versions
from app.search.index import SearchIndex
from app.search.sources import build_docs
from app.services import Services


def search_index(svc: Services) -> SearchIndex:
    """The index of every published layer, cached until one of them changes."""
    specs = served_specs(svc)
    key = versions(svc, ["quartieri", *(s.id for s in specs)])
    return cached("search", key, lambda: SearchIndex(build_docs(svc, specs, load_areas(svc))))


def search(svc: Services, query: str, limit: int = 10, lang: str = "it") -> list[dict]:
    """Results for `query`, best first, with layer titles in `lang`."""
    results = search_index(svc).search(query, limit)
    for r in results:
        titles = r.pop("layer_title")
        r["layer_title"] = titles.get(lang) or titles.get("it")
    return results
