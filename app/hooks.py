"""Extension points between units that must not import each other (tests/test_architecture.py
forbids import cycles): a unit registers a function under a name when the app is made, and
another unit collects what the registered functions return, without importing the first.

Names in use:

- `ogcapi.collections` (fmt, lang) -> a collection document or None: collections served
  beside the layers' (app/contributions/collection.py, the citizens' contributions);
- `ogcapi.openapi_paths` () -> OpenAPI paths (relative to /api) of those collections;
- `catalog.datasets` () -> a DCAT dataset (JSON-LD) or None;
- `viewer.layers` (lang) -> a layer configuration for the map (app/viewer/mapbuilder.py
  `layer_config`'s shape) or None;
- `quartieri.feed_entries` (quartiere number, lang) -> a list of Atom entries (dicts with
  id, title, updated, link, category, category_label, summary): the approved
  contributions (app/contributions), the consultations' openings (app/consultations/feed.py).
"""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, current_app

KEY = "geoportale_hooks"


def register(app: Flask, name: str, fn: Callable) -> None:
    app.extensions.setdefault(KEY, {}).setdefault(name, []).append(fn)


def collect(name: str, *args) -> list:
    """What every function registered under `name` returns (None left out), in order."""
    out = []
    for fn in current_app.extensions.get(KEY, {}).get(name, ()):
        value = fn(*args)
        if value is not None:
            out.append(value)
    return out
