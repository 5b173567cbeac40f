"""The moderators' queue filters, from a query string (or a form's hidden fields) and back.

One place for the parameters of /admin/contributions: the queue page, its status tabs and
paging links, the bulk form and the detail page's "next in queue" all carry them. A bad
value is a 400 naming the parameter (nothing is guessed: a filter silently dropped would
show a moderator a queue they did not ask for).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass, fields, replace

from app.contributions.model import bad, plain
from app.organisation import ParticipationSpec
from app.stores.contributions import KINDS, STATUSES

LAYER = re.compile(r"[a-z][a-z0-9_]{0,63}")
MAX_SEARCH = 200
ORDERS = ("oldest", "newest")
PHOTO = {"yes": True, "no": False}


@dataclass(frozen=True)
class QueueFilter:
    """What a moderator asked the queue for (defaults: in moderation, oldest first)."""

    status: str = "in_moderazione"
    kind: str | None = None
    quartiere: int | None = None
    layer: str | None = None
    target: str | None = None
    photo: str | None = None
    office: str | None = None
    state: str | None = None
    q: str | None = None
    order: str = "oldest"

    def store_filters(self) -> dict:
        """The keywords of the store's `contributions` (but status, limit, offset)."""
        return {
            "kind": self.kind,
            "quartiere": self.quartiere,
            "target_layer": self.layer,
            "target_id": self.target,
            "has_photo": None if self.photo is None else PHOTO[self.photo],
            "office": self.office,
            "state": self.state,
            "search": self.q,
        }

    def query(self, **changes) -> dict:
        """The parameters for url_for: the status always (a contribution's page reached
        without one shows its own status's queue), the rest when not the default."""
        default = QueueFilter()
        chosen = replace(self, **changes) if changes else self
        return {
            k: v
            for k, v in asdict(chosen).items()
            if k == "status" or (v is not None and v != getattr(default, k))
        }

    @property
    def narrowed(self) -> bool:
        """Whether any filter but the status and the order is set."""
        return any(v is not None for v in self.store_filters().values())


def parse_filter(args, spec: ParticipationSpec) -> QueueFilter:
    """The filters in `args` (a MultiDict); InvalidParameter naming the first bad one."""
    names = {f.name for f in fields(QueueFilter)}
    got = {k: (args.get(k) or "").strip() for k in names}
    got = {k: v for k, v in got.items() if v}
    status = got.get("status", "in_moderazione")
    if status not in STATUSES:
        raise _one_of("status", STATUSES)
    if "kind" in got and got["kind"] not in KINDS:
        raise _one_of("kind", KINDS)
    quartiere = None
    if "quartiere" in got:
        if not got["quartiere"].isdigit() or len(got["quartiere"]) > 4:
            raise bad("quartiere", "numero di quartiere non valido", "invalid quartiere number")
        quartiere = int(got["quartiere"])
    if "layer" in got and not LAYER.fullmatch(got["layer"]):
        raise bad("layer", "nome di layer non valido", "invalid layer name")
    if "target" in got:
        if "layer" not in got:
            raise bad("target", "indica anche il layer", "name the layer too")
        if len(got["target"]) > 100:
            raise bad("target", "identificativo troppo lungo", "id too long")
    if "photo" in got and got["photo"] not in PHOTO:
        raise _one_of("photo", tuple(PHOTO))
    if "office" in got and spec.office(got["office"]) is None:
        raise bad("office", "ufficio sconosciuto", "unknown office")
    if "state" in got and spec.state(got["state"]) is None:
        raise bad("state", "stato sconosciuto", "unknown state")
    if "order" in got and got["order"] not in ORDERS:
        raise _one_of("order", ORDERS)
    return QueueFilter(
        status=status,
        kind=got.get("kind"),
        quartiere=quartiere,
        layer=got.get("layer"),
        target=got.get("target"),
        photo=got.get("photo"),
        office=got.get("office"),
        state=got.get("state"),
        q=plain(got.get("q"), "q", MAX_SEARCH),
        order=got.get("order", "oldest"),
    )


def parse_offset(args) -> int:
    raw = (args.get("offset") or "0").strip()
    if not raw.isdigit() or len(raw) > 9:
        raise bad("offset", "offset: un numero intero da 0", "offset: a whole number from 0")
    return int(raw)


def _one_of(name: str, values: tuple[str, ...]):
    listed = ", ".join(values)
    return bad(name, f"{name}: uno di {listed}", f"{name}: one of {listed}")
