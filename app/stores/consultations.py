"""Consultations as the store keeps them (the rules are in app/consultations).

Two tables beside the contributions', in the same database as the layers:

- `consultations`: title and description (it/en), what is consulted (a layer and one of
  its draft versions, or a map), the window (opens, ends, UTC ISO times) and when it was
  closed early;
- `consultation_comments`: which contribution is a comment on which consultation, and the
  feature of the draft it names (optional). The comment itself is a contribution (kind
  `commento`, target layer `consultazione`, id the consultation's): moderated in the same
  queue, its personal data apart like every contribution's.
"""

from __future__ import annotations

from dataclasses import dataclass

#: The target layer of a consultation's comments (the target id is the consultation's).
TARGET_LAYER = "consultazione"

CONSULTATION_COLUMNS = (
    "id, title_it, title_en, description_it, description_en, layer_id, version, map_id, "
    "opens_at, ends_at, closed_at, created_at, created_by, updated_at"
)


def consultation_tables_sql(names: tuple[str, str]) -> list[str]:
    consultations, comments = names
    return [
        f"CREATE TABLE IF NOT EXISTS {consultations} (id TEXT PRIMARY KEY, "
        "title_it TEXT NOT NULL, title_en TEXT, description_it TEXT NOT NULL, "
        "description_en TEXT, layer_id TEXT, version INTEGER, map_id TEXT, "
        "opens_at TEXT NOT NULL, ends_at TEXT NOT NULL, closed_at TEXT, "
        "created_at TEXT NOT NULL, created_by TEXT NOT NULL, updated_at TEXT NOT NULL)",
        f"CREATE TABLE IF NOT EXISTS {comments} (contribution_id TEXT PRIMARY KEY, "
        "consultation_id TEXT NOT NULL, feature_id TEXT)",
        f"CREATE INDEX IF NOT EXISTS {comments.rsplit('.', 1)[-1]}_of ON {comments} "
        "(consultation_id)",
    ]


@dataclass(frozen=True)
class Consultation:
    id: str
    title_it: str
    title_en: str | None
    description_it: str
    description_en: str | None
    layer_id: str | None
    version: int | None
    map_id: str | None
    opens_at: str
    ends_at: str
    closed_at: str | None
    created_at: str
    created_by: str
    updated_at: str

    def title(self, lang: str) -> str:
        return (self.title_en if lang == "en" else None) or self.title_it

    def description(self, lang: str) -> str:
        return (self.description_en if lang == "en" else None) or self.description_it

    def is_open(self, now: str) -> bool:
        """Inside the window (`now`: a UTC ISO time like the stored ones) and not closed."""
        return self.closed_at is None and self.opens_at <= now < self.ends_at


def consultation_of(row) -> Consultation:
    values = list(row)
    values[6] = None if values[6] is None else int(values[6])
    return Consultation(*values)


#: The fields `consultation_update` may change.
EDITABLE = frozenset(
    ("title_it", "title_en", "description_it", "description_en", "opens_at", "ends_at")
)
