"""The programme over time, and where its money comes from: pure functions over the
interventions (app/quartieri/service.py) and the programme file's funding categories.

Timeline: for each year, how many interventions stood in each state at its end (by their
`storia_stato`: see `tree.state_in`); those no document had mentioned yet are not counted.
Funding: per category, the interventions, the known amounts (a co-funded intervention
counts in each of its categories, so the categories' sums overlap and are not added up) and
how many have no amount; and the shares some sources state ("FESR 84%").
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass, field

from app.programma.tree import Context, state_in
from app.quartieri.service import STATUS_ORDER, Intervento

_SHARE = re.compile(r"(?P<name>[^;%\d]+?)\s*(?P<pct>\d{1,3}(?:[.,]\d+)?)\s*%")


@dataclass
class Year:
    year: int
    by_state: Counter = field(default_factory=Counter)

    @property
    def total(self) -> int:
        return sum(self.by_state.values())


def timeline(items: list[Intervento], first: int, last: int) -> list[Year]:
    """Counts by state at the end of each year from `first` to `last`."""
    out = []
    for year in range(first, last + 1):
        row = Year(year)
        for item in items:
            state = state_in(item, year)
            if state is not None:
                row.by_state[state] += 1
        out.append(row)
    return out


def states_of(rows: list[Year]) -> list[str]:
    """The states present, in the reading order of the citizen pages."""
    seen = {s for r in rows for s, n in r.by_state.items() if n}
    return [s for s in STATUS_ORDER if s in seen] + sorted(seen - set(STATUS_ORDER))


@dataclass
class FundingRow:
    key: str
    count: int = 0
    amount: float = 0.0
    unknown_amount: int = 0
    cofunded: int = 0


def funding(items: list[Intervento], ctx: Context) -> list[FundingRow]:
    """One row per category (in the programme file's order), then 'nd' (none given)."""
    rows = {f.key: FundingRow(f.key) for f in ctx.programme.funding}
    rows["nd"] = FundingRow("nd")
    for item in items:
        keys = ctx.funding(item) or ("nd",)
        for key in keys:
            row = rows[key]
            row.count += 1
            row.cofunded += int(len(keys) > 1)
            if item.amount is None:
                row.unknown_amount += 1
            else:
                row.amount += float(item.amount)
    return [r for r in rows.values() if r.count]


def funding_matrix(items: list[Intervento], ctx: Context, group) -> dict[str, Counter]:
    """{group label: Counter(category: interventions)}; `group(item)` gives the label or None."""
    out: dict[str, Counter] = {}
    for item in items:
        label = group(item)
        if label is None:
            continue
        for key in ctx.funding(item) or ("nd",):
            out.setdefault(label, Counter())[key] += 1
    return out


def stated_shares(text: str | None) -> list[tuple[str, float]]:
    """The shares a funding text states: 'FESR 84%; FSE+ 6%; altre fonti 10%' ->
    [('FESR', 84.0), ('FSE+', 6.0), ('altre fonti', 10.0)]; [] when it states none."""
    found = [(m["name"].strip(" :-"), float(m["pct"].replace(",", "."))) for m in
             _SHARE.finditer(text or "")]  # fmt: skip
    return [(name, pct) for name, pct in found if name]
