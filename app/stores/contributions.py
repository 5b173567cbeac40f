"""Citizens' contributions as the store keeps them (the rules are app/contributions).

Four tables beside the catalog, in the same database as the layers (GeoPackage or PostGIS),
so that a contribution accepted is committed with the store's own guarantees:

- `contributions`: the public part (kind, target, text, optional name and point, the
  moderation status, the follow-up state, the council's answer) and the digest of the
  private follow link (never the link itself);
- `contribution_private`: the personal data, apart: the e-mail (optional), the language
  the citizen wrote in (the messages to the e-mail are in it) and the rate-limit key (a
  keyed digest of the client address), deleted on request and after the retention period;
- `contribution_flags`: flags of approved contributions (reason, the flagger's rate key);
- `contribution_photos`: the one optional photo of a segnalazione, as the server re-encoded
  it (JPEG, no metadata: app/contributions/photo.py), public only with its approved
  contribution, deleted by a moderator, with the e-mail on request, and by the retention
  purge when its contribution never became public.
"""

from __future__ import annotations

from dataclasses import dataclass

#: Moderation statuses: only `approvato` is public.
STATUSES = ("in_moderazione", "approvato", "rifiutato", "nascosto", "duplicato", "in_revisione")
KINDS = ("commento", "segnalazione", "proposta")
FLAG_REASONS = ("spam", "offensivo", "fuori_tema")

PUBLIC_COLUMNS = (
    "id, created_at, kind, target_layer, target_id, quartiere, text, name, lon, lat, status, "
    "reason, duplicate_of, state, office, answer, answered_at, flags, updated_at, "
    "(SELECT width FROM {photos} WHERE contribution_id = {contributions}.id), "
    "(SELECT height FROM {photos} WHERE contribution_id = {contributions}.id)"
)


def contribution_tables_sql(names: tuple[str, str, str, str], serial: str, blob: str) -> list[str]:
    """The DDL of the four tables (`serial`: the back end's auto-increment key type; `blob`:
    its binary type). `IF NOT EXISTS`: a store made before one of them gains it on open."""
    public, private, flags, photos = names
    return [
        f"CREATE TABLE IF NOT EXISTS {public} (id TEXT PRIMARY KEY, created_at TEXT NOT NULL, "
        "kind TEXT NOT NULL, target_layer TEXT, target_id TEXT, quartiere INTEGER, "
        "text TEXT NOT NULL, name TEXT, lon DOUBLE PRECISION, lat DOUBLE PRECISION, "
        "status TEXT NOT NULL, reason TEXT, duplicate_of TEXT, state TEXT NOT NULL, "
        "office TEXT, answer TEXT, answered_at TEXT, flags INTEGER NOT NULL DEFAULT 0, "
        "updated_at TEXT NOT NULL, follow_digest TEXT NOT NULL UNIQUE)",
        f"CREATE INDEX IF NOT EXISTS {_bare(public)}_target ON {public} "
        "(status, target_layer, target_id)",
        f"CREATE INDEX IF NOT EXISTS {_bare(public)}_quartiere ON {public} (status, quartiere)",
        f"CREATE TABLE IF NOT EXISTS {private} (contribution_id TEXT PRIMARY KEY, "
        "email TEXT, rate_key TEXT, created_at TEXT NOT NULL, language TEXT)",
        f"CREATE INDEX IF NOT EXISTS {_bare(private)}_rate ON {private} (rate_key, created_at)",
        f"CREATE INDEX IF NOT EXISTS {_bare(private)}_email ON {private} (email)",
        f"CREATE TABLE IF NOT EXISTS {flags} (seq {serial}, contribution_id TEXT NOT NULL, "
        "reason TEXT NOT NULL, rate_key TEXT NOT NULL, at TEXT NOT NULL)",
        f"CREATE UNIQUE INDEX IF NOT EXISTS {_bare(flags)}_once ON {flags} "
        "(contribution_id, rate_key)",
        f"CREATE TABLE IF NOT EXISTS {photos} (contribution_id TEXT PRIMARY KEY, "
        f"media_type TEXT NOT NULL, width INTEGER NOT NULL, height INTEGER NOT NULL, "
        f"bytes INTEGER NOT NULL, content {blob} NOT NULL, created_at TEXT NOT NULL, "
        f"thumb {blob})",
    ]


def _bare(name: str) -> str:
    """An index name from a table name (PostgreSQL: no schema in an index's name)."""
    return name.rsplit(".", 1)[-1]


@dataclass(frozen=True)
class NewContribution:
    """A contribution as accepted from a citizen (already validated)."""

    id: str
    kind: str
    target_layer: str | None
    target_id: str | None
    quartiere: int | None
    text: str
    name: str | None
    lon: float | None
    lat: float | None
    state: str
    follow_digest: str
    email: str | None
    rate_key: str
    #: The language the citizen wrote in: the messages sent to the e-mail are in it.
    language: str = "it"


@dataclass(frozen=True)
class Photo:
    """A contribution's photo as stored: already re-encoded, without metadata."""

    content: bytes
    width: int
    height: int
    media_type: str = "image/jpeg"
    created_at: str | None = None
    #: The small version shown in lists (its own JPEG, long side photo.THUMB_SIDE).
    thumb: bytes | None = None

    @property
    def bytes(self) -> int:
        return len(self.content)


@dataclass(frozen=True)
class RateLimits:
    """At most `per_address` contributions from one rate key and `per_target` on one target
    within `window_seconds`; the store counts and inserts in one transaction."""

    per_address: int
    per_target: int
    window_seconds: int


@dataclass(frozen=True)
class Contribution:
    """A stored contribution: the public part only (no e-mail, no rate key)."""

    id: str
    created_at: str
    kind: str
    target_layer: str | None
    target_id: str | None
    quartiere: int | None
    text: str
    name: str | None
    lon: float | None
    lat: float | None
    status: str
    reason: str | None
    duplicate_of: str | None
    state: str
    office: str | None
    answer: str | None
    answered_at: str | None
    flags: int
    updated_at: str
    #: The size of its photo, if it has one (the photo itself: `contribution_photo`).
    photo_width: int | None = None
    photo_height: int | None = None

    @property
    def public(self) -> bool:
        return self.status == "approvato"

    @property
    def has_photo(self) -> bool:
        return self.photo_width is not None


def contribution_of(row) -> Contribution:
    values = list(row)
    values[5] = None if values[5] is None else int(values[5])
    values[17] = int(values[17] or 0)
    for i in (19, 20):
        values[i] = None if values[i] is None else int(values[i])
    return Contribution(*values)


@dataclass(frozen=True)
class ContributionPage:
    items: list[Contribution]
    total: int
