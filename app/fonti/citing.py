"""Which features cite which source document: every served layer, read from the store.

Built once per store generation (a publish or an edit moves it), for the GeoPackage and
PostGIS stores alike: only the `FeatureStore` interface is used.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from app.fonti import parse_refs
from app.services import Services


@dataclass(frozen=True)
class Citing:
    layer_id: str
    layer_title: dict  # {"it": ..., "en": ...}
    feature_id: object
    title: str
    lines: tuple[int, ...]


def build_citing(svc: Services) -> dict[str, list[Citing]]:
    """{document file name: [features citing it, in layer then feature order]}."""
    found: dict[str, list[Citing]] = defaultdict(list)
    for spec in svc.served_specs():
        title = {"it": spec.title.it, "en": spec.title.get("en")}
        for f in svc.read_all(spec):
            lines: dict[str, set[int]] = defaultdict(set)
            for value in f.properties.values():
                if isinstance(value, str) and ".txt riga " in value:
                    for ref in parse_refs(value):
                        lines[ref.file].add(ref.line)
            name = f.properties.get(spec.title_field) if spec.title_field else None
            for file, numbers in lines.items():
                found[file].append(
                    Citing(spec.id, title, f.id, str(name or f.id), tuple(sorted(numbers)))
                )
    return dict(found)


def citing(svc: Services, file: str) -> list[Citing]:
    return svc.cached("fonti-citing", lambda: build_citing(svc)).get(file, [])
