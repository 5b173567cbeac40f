"""Documents for the search index, from every published layer of the store.

- The quartieri layer: one document per quartiere, leading to its page.
- The interventi layer: one per intervention, leading to its page.
- An address layer (its spec has `search.address`): one document per street, holding
  its house numbers; "via Dante 12" picks number 12.
- Any other layer: its title field, plus `search.fields` (by default the fields named
  luogo, indirizzo and zone when present), leading to the feature's record.
- The organisation's official street list (`streets:`, app/streets.py): every street no
  address layer places, without a location.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from urllib.parse import urlencode

import shapely

from app.organisation import organisation
from app.quartieri.areas import QuartiereAreas, representative_point, text_ref
from app.registry.spec import AddressSpec, LayerSpec
from app.search.index import Doc, House
from app.search.normalize import house_key
from app.services import Services
from app.text import fold

DEFAULT_FIELDS = ("luogo", "indirizzo", "zone")
#: Small ranking nudges: a place named exactly wins over a long text mentioning it.
PRIORITY = {"quartiere": 0.06, "street": 0.05, "feature": 0.03, "intervento": 0.0}
#: A street of the official list (no location) ranks just below a street an address layer
#: places.
OFFICIAL_STREET = 0.03


def searched_fields(spec: LayerSpec) -> list[str]:
    """The fields whose text is indexed for a layer."""
    names = [spec.title_field] if spec.title_field else []
    if spec.search is not None and spec.search.fields:
        names += list(spec.search.fields)
    else:
        names += [n for n in DEFAULT_FIELDS if spec.field(n) is not None]
    return list(dict.fromkeys(names))


def _geometry(feature):
    return shapely.geometry.shape(feature.geometry) if feature.geometry else None


def _title(spec: LayerSpec) -> dict:
    return {"it": spec.title.get("it"), "en": spec.title.get("en")}


def quartiere_docs(spec: LayerSpec, areas: QuartiereAreas) -> list[Doc]:
    docs = []
    for q in areas.items:
        point = representative_point(q.geometry)
        text = " ".join(str(v) for v in (q.label, q.nome, q.properties.get("zone")) if v)
        docs.append(
            Doc(
                label=q.label,
                kind="quartiere",
                layer=spec.id,
                layer_title=_title(spec),
                id=q.id,
                lon=point[0] if point else None,
                lat=point[1] if point else None,
                precisione=q.properties.get("precisione"),
                quartiere=q.ref(),
                link=f"/quartieri/{q.slug}",
                text=text,
                priority=PRIORITY["quartiere"],
            )
        )
    return docs


def feature_docs(svc: Services, spec: LayerSpec, areas: QuartiereAreas) -> list[Doc]:
    """One document per feature that has text in its searched fields."""
    fields = searched_fields(spec)
    if not fields:
        return []
    kind = "intervento" if spec.id == organisation().interventions_layer else "feature"
    docs = []
    for f in svc.read_all(spec):
        texts = [str(f.properties[n]) for n in fields if f.properties.get(n) not in (None, "")]
        if not texts:
            continue
        point = representative_point(_geometry(f))
        q = areas.of_feature(f.properties, point)
        if kind == "intervento":
            link = f"/interventi/{f.id}"
        else:
            link = f"/api/collections/{spec.id}/items/{f.id}?f=html"
        docs.append(
            Doc(
                label=texts[0],
                kind=kind,
                layer=spec.id,
                layer_title=_title(spec),
                id=str(f.id),
                lon=point[0] if point else None,
                lat=point[1] if point else None,
                precisione=f.properties.get("precisione"),
                quartiere=q.ref() if q else None,
                link=link,
                text=" ".join(texts),
                priority=PRIORITY[kind],
            )
        )
    return docs


def street_label(street_type, street_name) -> str:
    return " ".join(str(p).strip() for p in (street_type, street_name) if p)


def address_docs(svc: Services, spec: LayerSpec, areas: QuartiereAreas) -> list[Doc]:
    """One document per street of an address layer, holding its house numbers."""
    a: AddressSpec = spec.search.address
    streets: dict[str, dict] = defaultdict(dict)
    names: dict[str, str] = {}
    for f in svc.read_all(spec):
        p = f.properties
        label = street_label(p.get(a.street_type) if a.street_type else None, p.get(a.street_name))
        key = house_key(
            p.get(a.house_number), p.get(a.house_number_suffix) if a.house_number_suffix else None
        )
        if not label or key is None:
            continue
        point = representative_point(_geometry(f))
        q = areas.at(*point) if point else None
        own = p.get(a.quartiere) if a.quartiere else None
        ref = q.ref() if q else (text_ref(str(own)) if own else None)
        suffix = p.get(a.house_number_suffix) if a.house_number_suffix else None
        number = f"{p.get(a.house_number)}{'/' + str(suffix) if suffix else ''}"
        house = House(
            f"{label} {number}",
            point[0] if point else None,
            point[1] if point else None,
            ref,
        )
        street_key = label.lower()
        names.setdefault(street_key, label)
        streets[street_key].setdefault(key, house)
    docs = []
    for street_key, houses in streets.items():
        docs.append(_street_doc(spec, names[street_key], houses))
    return docs


def _street_doc(spec: LayerSpec, label: str, houses: dict[str, House]) -> Doc:
    """A street: located at its middle house number, in its most frequent quartiere."""
    located = [h for h in houses.values() if h.lon is not None]
    numbered = sorted(
        (k for k in houses if houses[k].lon is not None),
        key=lambda k: (int("".join(c for c in k if c.isdigit()) or 0), k),
    )
    middle = houses[numbered[len(numbered) // 2]] if numbered else None
    quartieri = Counter(tuple(sorted((h.quartiere or {}).items())) for h in located if h.quartiere)
    quartiere = dict(quartieri.most_common(1)[0][0]) if quartieri else None
    link = (
        f"/quartieri/{quartiere['slug']}"
        if quartiere and quartiere.get("slug")
        else (
            f"/quartieri/punto?lon={middle.lon:.6f}&lat={middle.lat:.6f}"
            if middle
            else f"/api/collections/{spec.id}/items?f=html"
        )
    )
    if quartiere and quartiere.get("slug") and middle:
        link += f"?lon={middle.lon:.6f}&lat={middle.lat:.6f}"
    return Doc(
        label=label,
        kind="street",
        layer=spec.id,
        layer_title=_title(spec),
        id=label,
        lon=middle.lon if middle else None,
        lat=middle.lat if middle else None,
        precisione="via",
        quartiere=quartiere,
        link=link,
        priority=PRIORITY["street"],
        houses=houses,
    )


#: The official street list in results (its name; no layer of the store holds it).
STREET_LIST = "stradario"
STREET_LIST_TITLE = {"it": "Stradario ufficiale", "en": "Official street list"}


def official_street_docs(known: set[str]) -> list[Doc]:
    """One document per street of the organisation's official list (app/streets.py) that
    no address layer already places. The list has no geometry, so these have no location:
    a street found here is a real, officially named street; its link searches what the
    geoportal holds on it."""
    from app import streets

    if not streets.available():
        return []
    docs = []
    for street in streets.street_list().all():
        if fold(street["nome"]) in known:
            continue
        docs.append(
            Doc(
                label=street["nome"],
                kind="street",
                layer=STREET_LIST,
                layer_title=STREET_LIST_TITLE,
                id=street["codice"],
                lon=None,
                lat=None,
                precisione="via",
                quartiere=None,
                link=f"/cerca?{urlencode({'q': street['nome']})}",
                text=street["nome"],
                priority=OFFICIAL_STREET,
            )
        )
    return docs


def build_docs(svc: Services, specs: list[LayerSpec], areas: QuartiereAreas) -> list[Doc]:
    """Every document of every published, searchable layer, and the official street list."""
    docs: list[Doc] = []
    for spec in specs:
        if spec.search is not None and not spec.search.enabled:
            continue
        if spec.id == areas.layer:
            docs += quartiere_docs(spec, areas)
        elif spec.search is not None and spec.search.address is not None:
            docs += address_docs(svc, spec, areas)
        else:
            docs += feature_docs(svc, spec, areas)
    # A placed street also stands for the official names it begins with: the address layer
    # may write the full name ("Via Dante Alighieri") where the list has "Via Dante".
    placed = set()
    for d in docs:
        if d.kind == "street":
            words = fold(d.label).split()
            placed.update(" ".join(words[:n]) for n in range(2, len(words) + 1))
    return docs + official_street_docs(placed)
