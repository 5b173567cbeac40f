"""The programme as a tree: DUP Missione > Programma > Obiettivo strategico > Obiettivo
operativo, and the mandate programme's chapters, each node with the counts of its
interventions by state, the sum of the amounts that are known (and how many are not), the
funding categories, the quartieri and the late ones.

Pure functions over the interventions the citizen pages read (app/quartieri/service.py);
numbers are honest: an unknown amount is counted apart, never summed as zero.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from app.programma.config import Programme
from app.quartieri.service import STATUS_ORDER, Intervento

#: The DUP's levels, from the widest; each is a field of the interventions layer.
LEVELS = ("missione", "programma", "obiettivo_strategico", "obiettivo_operativo")
_REF = re.compile(r"^\s*(?P<doc>\S+?\.txt)\s+riga\s+(?P<line>\d+)")
MISSION_CODE = re.compile(r"^\d{1,2}$")
_CODE = re.compile(r"^\s*(?P<code>[A-Z]?\d+(?:\.\d+)?)\s+-\s+(?P<name>.+)$")


def state_in(item: Intervento, year: int) -> str | None:
    """The intervention's state as it stood at the end of `year`: the newest entry of its
    state history up to that year; None if no document had mentioned it yet. Without a
    history, its current state from `anno_stato` on."""
    if item.history:
        known = [e for e in item.history if isinstance(e.get("anno"), int) and e["anno"] <= year]
        return known[-1].get("stato") if known else None
    since = item["anno_stato"]
    return item.status if isinstance(since, int) and since <= year else None


def is_late(item: Intervento, today_year: int) -> bool:
    """Still "in corso" at its last documented state, after the year it was due to end."""
    end = item["anno_fine"]
    return item.status == "in_corso" and isinstance(end, int) and end < today_year


def split_code(text: str) -> tuple[str | None, str]:
    """'8.02 - Edilizia residenziale...' -> ('8.02', 'Edilizia residenziale...')."""
    m = _CODE.match(text or "")
    return (m["code"], m["name"].strip()) if m else (None, (text or "").strip())


def _code_key(code: str | None):
    parts = re.findall(r"\d+|[A-Z]+", code or "")
    return [(0, int(p)) if p.isdigit() else (1, p) for p in parts] or [(2, 0)]


@dataclass
class Stats:
    """What every node says of its interventions."""

    count: int = 0
    by_state: Counter = field(default_factory=Counter)
    amount: float = 0.0
    unknown_amount: int = 0
    funding: Counter = field(default_factory=Counter)
    quartieri: Counter = field(default_factory=Counter)
    late: int = 0

    def add(self, item: Intervento, funding: tuple[str, ...], late: bool) -> None:
        self.count += 1
        self.by_state[item.status] += 1
        if item.amount is None:
            self.unknown_amount += 1
        else:
            self.amount += float(item.amount)
        for key in funding or ("nd",):
            self.funding[key] += 1
        if item.quartiere is not None:
            self.quartieri[item.quartiere.label] += 1
        self.late += int(late)

    @property
    def quartieri_sorted(self) -> list[tuple[str, int]]:
        """The quartieri in their numbers' order ('Quartiere 2' before 'Quartiere 10')."""
        natural = lambda kv: [int(p) if p.isdigit() else p for p in re.split(r"(\d+)", kv[0])]  # noqa: E731
        return sorted(self.quartieri.items(), key=natural)

    @property
    def states(self) -> list[tuple[str, int]]:
        known = [(s, self.by_state[s]) for s in STATUS_ORDER if self.by_state[s]]
        other = sorted((s, n) for s, n in self.by_state.items() if s not in STATUS_ORDER)
        return known + other


@dataclass
class Node:
    """A level of the tree: its code and name, its stats, its children and the interventions
    attached to it and not to a child (those whose lower levels are not given)."""

    level: str
    code: str | None
    name: str
    stats: Stats = field(default_factory=Stats)
    children: list[Node] = field(default_factory=list)
    items: list[Intervento] = field(default_factory=list)

    @property
    def key(self) -> str:
        return f"{self.level}-{self.code or re.sub(r'[^a-z0-9]+', '-', self.name.lower())}"

    def walk(self):
        yield self
        for child in self.children:
            yield from child.walk()


@dataclass
class Context:
    """What aggregation needs besides the items."""

    programme: Programme
    today_year: int

    def funding(self, item: Intervento) -> tuple[str, ...]:
        return self.programme.funding_of(item["finanziamento"])

    def late(self, item: Intervento) -> bool:
        return is_late(item, self.today_year)


def _fill(node: Node, items: list[Intervento], depth: int, ctx: Context) -> Node:
    for item in items:
        node.stats.add(item, ctx.funding(item), ctx.late(item))
    if depth >= len(LEVELS):
        node.items = list(items)
        return node
    groups: dict[str, list[Intervento]] = {}
    for item in items:
        value = item[LEVELS[depth]]
        if value:
            groups.setdefault(value, []).append(item)
        else:
            node.items.append(item)
    for value, members in groups.items():
        code, name = split_code(value)
        node.children.append(_fill(Node(LEVELS[depth], code, name), members, depth + 1, ctx))
    node.children.sort(key=lambda n: (_code_key(n.code), n.name))
    return node


def dup_tree(items: list[Intervento], ctx: Context) -> tuple[Node, Node]:
    """(the DUP tree under a root node, the node of the interventions without a mission)."""
    linked = [i for i in items if i["missione"]]
    root = _fill(Node("root", None, "DUP"), linked, 0, ctx)
    loose = Node("senza_dup", None, "")
    for item in items:
        if not item["missione"]:
            loose.stats.add(item, ctx.funding(item), ctx.late(item))
            loose.items.append(item)
    return root, loose


def chapters(items: list[Intervento], ctx: Context, lang: str) -> tuple[list[Node], Node]:
    """The mandate programme's chapters with the interventions one of whose sources is a
    line of the chapter (an intervention cited in two chapters is in both), and the node of
    the interventions the mandate programme does not cite."""
    nodes = {c.key: Node("capitolo", c.key, c.title.get(lang)) for c in ctx.programme.chapters}
    outside = Node("fuori_programma", None, "")
    for item in items:
        keys = []
        for source in item.sources:
            m = _REF.match(source)
            chapter = m and ctx.programme.chapter_of(m["doc"], int(m["line"]))
            if chapter and chapter.key not in keys:
                keys.append(chapter.key)
        for key in keys:
            nodes[key].stats.add(item, ctx.funding(item), ctx.late(item))
            nodes[key].items.append(item)
        if not keys:
            outside.stats.add(item, ctx.funding(item), ctx.late(item))
            outside.items.append(item)
    return list(nodes.values()), outside


def totals(items: list[Intervento], ctx: Context) -> Stats:
    stats = Stats()
    for item in items:
        stats.add(item, ctx.funding(item), ctx.late(item))
    return stats


@dataclass(frozen=True)
class ProgrammeFilters:
    """What the reader asked for; each is a query parameter of /programma."""

    stato: str | None = None
    anno: int | None = None
    quartiere: int | None = None
    finanziamento: str | None = None
    al: int | None = None
    missione: str | None = None  # a DUP mission's code ("8")

    @property
    def active(self) -> bool:
        return any(v is not None for v in (self.stato, self.anno, self.quartiere,
                                           self.finanziamento, self.al, self.missione))  # fmt: skip


def as_of(item: Intervento, year: int) -> Intervento | None:
    """The intervention with its state as it stood in `year` (None if not yet documented)."""
    state = state_in(item, year)
    if state is None:
        return None
    if state == item.status:
        return item
    from dataclasses import replace

    return replace(item, properties={**item.properties, "stato": state})


def select(items: list[Intervento], f: ProgrammeFilters, ctx: Context) -> list[Intervento]:
    """The interventions matching every filter; with `al`, as they stood in that year."""
    out = []
    for item in items:
        if f.al is not None:
            item = as_of(item, f.al)
            if item is None:
                continue
        if f.stato and item.status != f.stato:
            continue
        if f.anno and f.anno not in item.years:
            continue
        if f.quartiere is not None and (item.quartiere is None
                                        or item.quartiere.numero != f.quartiere):  # fmt: skip
            continue
        if f.finanziamento and f.finanziamento not in (ctx.funding(item) or ("nd",)):
            continue
        if f.missione and split_code(item["missione"] or "")[0] != f.missione:
            continue
        out.append(item)
    return out
