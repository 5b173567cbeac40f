"""One table of settings: name, default, meaning. Each is read from `GEOPORTALE_<NAME>`."""

from __future__ import annotations

import os
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from app.errors import GeoportaleError
from app.smtp import smtp_url

PROJECT_ROOT = Path(__file__).resolve().parents[1]
OSM_URL = "https://tile.openstreetmap.org/{z}/{x}/{y}.png"
OSM_ATTRIBUTION = (
    '&copy; <a href="https://www.openstreetmap.org/copyright">OpenStreetMap</a> contributors'
)


class SettingsError(GeoportaleError):
    code = "invalid-setting"
    title = "Invalid setting"


def _bool(value: str) -> bool:
    low = value.strip().lower()
    if low in {"1", "true", "yes", "on"}:
        return True
    if low in {"0", "false", "no", "off"}:
        return False
    raise ValueError("expected true or false")


def _non_negative(value: str) -> int:
    number = int(value)
    if number < 0:
        raise ValueError("expected 0 or more")
    return number


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("expected 1 or more")
    return number


def _smtp(value: str) -> str:
    smtp_url(value)  # checked now: a wrong URL stops the start, not the first message
    return value


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


def _positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise ValueError("expected 1 or more")
    return number


def parse_replica_urls(value: str) -> tuple[str, ...]:
    """Comma-separated postgresql:// URLs (blanks dropped); ValueError for anything else."""
    urls = tuple(part.strip() for part in value.split(",") if part.strip())
    for url in urls:
        if not url.startswith(("postgresql://", "postgres://")):
            raise ValueError("expected comma-separated postgresql:// URLs of read replicas")
    return urls


_CONTROL_OR_SPACE = re.compile(r"[\x00-\x20\x7f]")


def parse_base_url(value: str) -> str:
    """The setting's value, normalised (no trailing slash); "" for none. ValueError if bad."""
    value = value.strip()
    if not value:
        return ""
    if _CONTROL_OR_SPACE.search(value):
        raise ValueError("spaces or control characters in the URL")
    parts = urlsplit(value)
    if parts.scheme not in {"http", "https"} or not parts.hostname:
        raise ValueError("expected an absolute http:// or https:// URL")
    if "?" in value or "#" in value:
        raise ValueError("no query (?) or fragment (#) in the base URL")
    if "@" in parts.netloc:
        raise ValueError("no user name or password in the base URL")
    parts.port  # noqa: B018  (raises ValueError for a port that is not a number in range)
    return f"{parts.scheme}://{parts.netloc}{parts.path.rstrip('/')}"


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str
    #: its value may hold a password: an error about it does not repeat it
    secret: bool = False


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STORE",
        str(PROJECT_ROOT / "instance" / "geoportale.gpkg"),
        "The store: a GeoPackage path (built from DATA_ROOT and LAYERS_DIR), or a "
        "postgresql:// URL for PostGIS.",
    ),
    Setting(
        "STORE_READ",
        (),
        "Read replicas for the public reads: comma-separated postgresql:// URLs of hot "
        "standbys streaming from STORE (which must then be PostgreSQL: the primary, for "
        "writes, the admin's reads and as the fallback). Empty: every read goes to STORE.",
        parse_replica_urls,
    ),
    Setting(
        "REPLICA_MAX_LAG_MS",
        10_000,
        "A replica that has not reached the primary's generation (the last publish) this "
        "many milliseconds after the primary did leaves the rotation until it catches up.",
        _positive,
    ),
    Setting(
        "REPLICA_POLL_MS",
        500,
        "How often each worker asks every replica (and the primary) for its health and "
        "generation, in milliseconds: with the replay lag, the bound on how stale a "
        "replica read can be.",
        _positive,
    ),
    Setting("LAYERS_DIR", str(PROJECT_ROOT / "layers"), "Directory of the layer files (*.yaml)."),
    Setting(
        "DATA_ROOT",
        str(PROJECT_ROOT),
        "Directory that the layer files' source paths are relative to.",
    ),
    Setting(
        "AUTO_BUILD", True, "Build the store on start when missing or its sources changed.", _bool
    ),
    Setting(
        "BASEMAP",
        "xyz",
        "Basemap kind: xyz (tile URL template), wms, or none.",
        _choice("xyz", "wms", "none"),
    ),
    Setting("BASEMAP_URL", OSM_URL, "XYZ tile URL template, or the WMS endpoint."),
    Setting("BASEMAP_ATTRIBUTION", OSM_ATTRIBUTION, "Attribution shown for the basemap (HTML)."),
    Setting("BASEMAP_WMS_LAYERS", "", "Comma-separated WMS layer names (BASEMAP=wms)."),
    Setting("DEFAULT_LIMIT", 100, "Items per page when the client gives no limit.", int),
    Setting("MAX_LIMIT", 10000, "Largest limit a client may ask for.", int),
    Setting(
        "ORGANISATION",
        str(PROJECT_ROOT / "organisation.yaml"),
        "The organisation file (YAML): the council's name, codes, area, map view and the "
        "layers that play a role (docs/organisation.md). Default: Cremona's.",
    ),
    Setting("TITLE", "", "Site title; empty: the organisation file's title."),
    Setting(
        "TILES_THRESHOLD",
        5000,
        "The map loads a layer with more features than this as vector tiles, not GeoJSON "
        "(0: every layer as tiles).",
        int,
    ),
    Setting(
        "SECRET_KEY",
        "",
        "Key that signs the admin session cookies. Empty: a random key is made once and kept "
        "in SECRET_KEY_FILE (mode 0600), so sessions survive restarts. Never commit one.",
    ),
    Setting(
        "SECRET_KEY_FILE",
        str(PROJECT_ROOT / "instance" / "secret_key"),
        "Where the generated session key is kept when SECRET_KEY is empty.",
    ),
    Setting(
        "ACCOUNTS",
        str(PROJECT_ROOT / "instance" / "accounts.sqlite"),
        "SQLite database of the admin users (created at first use; `flask users`).",
    ),
    Setting(
        "INSECURE_COOKIES",
        False,
        "true drops the Secure flag of the session cookie: only for plain-http local "
        "development and tests, never in production.",
        _bool,
    ),
    Setting(
        "LOGIN_ACCOUNT_FAILURES",
        10,
        "Failed logins of one username, from all addresses within 24 hours, before each "
        "further attempt must wait (1, 2, 4, ... seconds after the latest one).",
        int,
    ),
    Setting(
        "LOGIN_ACCOUNT_MAX_DELAY",
        900,
        "Longest of those waits, in seconds: guessing from many addresses gets one password "
        "tested per this many seconds, and nobody is locked out for longer.",
        int,
    ),
    Setting(
        "LOGIN_TRUSTED_DAYS",
        30,
        "An address a user logged in from within this many days skips that per-account wait "
        "(the per-address limit still applies); 0 trusts no address.",
        int,
    ),
    Setting(
        "MAX_UPLOAD_MB",
        200,
        "Largest request body of a logged-in SIT office user (layer uploads), in megabytes.",
        int,
    ),
    # Every public request has a bounded cost (DESIGN principle 9): the limits below.
    Setting(
        "MAX_PUBLIC_BODY_KB",
        1024,
        "Largest request body from anyone not logged in (process executions, prints, public "
        "forms), in kilobytes; beyond it a 413 problem.",
        int,
    ),
    Setting(
        "MAX_PAIRS",
        2_000_000,
        "Most (feature, reference feature) pairs a cross-layer query may relate "
        "(intersects, within, contains, disjoint); beyond it a 400 problem. dwithin and "
        "beyond relate no pairs (nearest-neighbour search).",
        int,
    ),
    Setting(
        "MAX_RESULT_FEATURES",
        50_000,
        "Most features a process may return as its result (GeoJSON/CSV); beyond it a 400 "
        "problem (the summary alone is still available).",
        int,
    ),
    Setting(
        "MAX_DOWNLOAD_FEATURES",
        200_000,
        "Most features one download may hold; beyond it a 400 problem (narrow with filter).",
        int,
    ),
    Setting(
        "MAX_PRINT_FEATURES",
        50_000,
        "Most features one print may draw (all its layers in the view, plus highlight and "
        "choropleth); beyond it a 400 problem.",
        int,
    ),
    Setting(
        "HEAVY_SLOTS",
        2,
        "Most heavy requests (prints, process executions, downloads of more than "
        "HEAVY_DOWNLOAD_FEATURES) running at once on this machine, across all worker "
        "processes; the next gets a 503 with Retry-After. 0: no limit.",
        int,
    ),
    Setting(
        "HEAVY_DOWNLOAD_FEATURES",
        10_000,
        "A download of more features than this is heavy (takes a HEAVY_SLOTS slot).",
        int,
    ),
    Setting("HEAVY_RETRY_AFTER", 10, "Seconds in the Retry-After of a busy (503) answer.", int),
    Setting(
        "LOCK_DIR",
        str(PROJECT_ROOT / "instance" / "locks"),
        "Directory of the heavy-slot lock files shared by the worker processes (local disk).",
    ),
    Setting(
        "QUERY_TIMEOUT_MS",
        5000,
        "Longest a read of the store may run for a request, in milliseconds (SQLite: a "
        "progress handler on the read connections; PostgreSQL: statement_timeout of the "
        "pool's sessions). Past it the request gets a 503 query-timeout problem with "
        "Retry-After. Admin writes, imports and publishes are not limited; 0: no limit.",
        _non_negative,
    ),
    Setting(
        "WORKSPACE_WMS_URL",
        "",
        "A WMS offered as a basemap in the planner workspace (e.g. the regional orthophoto); "
        "empty: none. Its host is allowed for images on /workspace only.",
    ),
    Setting("WORKSPACE_WMS_LAYERS", "", "Comma-separated layer names of WORKSPACE_WMS_URL."),
    Setting("WORKSPACE_WMS_TITLE", "Ortofoto (WMS)", "Name of that WMS in the basemap switcher."),
    Setting("WORKSPACE_WMS_ATTRIBUTION", "", "Attribution shown for that WMS (HTML)."),
    Setting(
        "BASE_URL",
        "",
        "The public base URL (e.g. https://sit.comune.cremona.it/geoportale): every absolute "
        "link (API, catalogue, feeds, embeds, OpenAPI servers) is made on it, whatever Host "
        "a request names. http or https, no query or fragment. Empty: links follow the "
        "request's Host and responses say Vary: Host (development only).",
        parse_base_url,
    ),
    Setting(
        "MAPS_DIR",
        str(PROJECT_ROOT / "instance" / "maps"),
        "Directory of the published maps' definitions (one JSON file per map; /embed/<slug>).",
    ),
    Setting(
        "FONTI_CATALOGUE",
        "geodata/fonti.yaml",
        "The catalogue of the source documents the data cites (titles, pages; /fonti); "
        "a relative path is inside DATA_ROOT. Missing: citations without a catalogue.",
    ),
    # Citizens' contributions (app/contributions, docs/participation.md).
    Setting(
        "CONTRIBUTION_RETENTION_DAYS",
        365,
        "Days the personal data left with a contribution (e-mail, the keyed digest of the "
        "client address used for rate limits, flaggers' keys) is kept; then it is deleted "
        "(`flask contributions purge`, also run as contributions arrive). The public text "
        "stays.",
        _positive,
    ),
    Setting(
        "CONTRIBUTION_RATE",
        5,
        "Most contributions from one client address within CONTRIBUTION_RATE_MINUTES; the "
        "next gets a 429 problem with Retry-After.",
        _positive,
    ),
    Setting(
        "CONTRIBUTION_TARGET_RATE",
        30,
        "Most contributions on one target (an intervention, a feature, a quartiere) from "
        "all addresses within CONTRIBUTION_RATE_MINUTES (429 beyond).",
        _positive,
    ),
    Setting(
        "CONTRIBUTION_RATE_MINUTES",
        10,
        "The window of both contribution rate limits, in minutes.",
        _positive,
    ),
    Setting(
        "CONTRIBUTION_MIN_FILL_SECONDS",
        3,
        "A contribution form sent sooner than this after the page was made is refused (a "
        "bot); 0: no minimum. The JSON API has no form and no minimum.",
        _non_negative,
    ),
    Setting(
        "CONTRIBUTION_PHOTO_MAX_MB",
        5,
        "Largest photo a citizen may attach to a segnalazione, in megabytes (beyond it a 413 "
        "naming `photo`); the contribution endpoints accept a body this much larger than "
        "MAX_PUBLIC_BODY_KB (plus base64's third). The photo kept is re-encoded, at most "
        "1600 px, without metadata.",
        _positive,
    ),
    Setting(
        "CONTRIBUTION_FLAGS_TO_HIDE",
        3,
        "Flags (from different addresses) that hide an approved contribution until a "
        "moderator reviews it.",
        _positive,
    ),
    Setting(
        "SMTP_URL",
        "",
        "The mail server the citizens' e-mails go through: smtp://user:pass@host:port, "
        "smtp+starttls://... or smtps://...; empty: no mail is queued or sent.",
        _smtp,
        secret=True,
    ),
    Setting(
        "MAIL_FROM",
        "",
        "The sender of the citizens' e-mails; empty: the organisation's e-mail "
        "(organisation.yaml).",
    ),
    Setting(
        "MAIL_RETRY_MINUTES",
        5,
        "Wait before the second attempt at a message that could not be sent; each further "
        "attempt waits twice the one before, at most a day.",
        _positive,
    ),
    Setting(
        "DOCUMENTS_DIR",
        "",
        "Directory holding the cited documents' texts by file name, for the passages shown "
        "on /fonti/<id>; empty: the pages show the citations without the text.",
    ),
)


def load_settings(overrides: dict | None = None, environ: dict | None = None) -> dict[str, Any]:
    """Defaults, then GEOPORTALE_* environment variables, then `overrides` (tests)."""
    environ = os.environ if environ is None else environ
    overrides = overrides or {}
    values = {}
    for s in SETTINGS:
        raw = environ.get(f"GEOPORTALE_{s.name}")
        value = s.default
        if raw is not None:
            try:
                value = s.parse(raw)
            except ValueError as exc:
                shown = "(not shown)" if s.secret else repr(raw)
                raise SettingsError(f"GEOPORTALE_{s.name}={shown}: {exc}") from None
        values[s.name] = overrides.get(s.name, value)
    unknown = set(overrides) - {s.name for s in SETTINGS}
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    if isinstance(values["STORE_READ"], str):  # an override given as the variable's text
        try:
            values["STORE_READ"] = parse_replica_urls(values["STORE_READ"])
        except ValueError as exc:
            raise SettingsError(f"GEOPORTALE_STORE_READ: {exc}") from None
    if values["STORE_READ"] and not str(values["STORE"]).startswith(
        ("postgresql://", "postgres://")
    ):
        raise SettingsError(
            "GEOPORTALE_STORE_READ names read replicas, but GEOPORTALE_STORE is not a "
            "postgresql:// URL: replicas stream from a PostgreSQL primary, which STORE must be"
        )
    return values
