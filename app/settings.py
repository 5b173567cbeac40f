"""One table of settings: name, default, meaning. Each is read from `GEOPORTALE_<NAME>`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from app.errors import GeoportaleError

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


def _choice(*options: str) -> Callable[[str], str]:
    def parse(value: str) -> str:
        if value not in options:
            raise ValueError(f"expected one of {', '.join(options)}")
        return value

    return parse


@dataclass(frozen=True)
class Setting:
    name: str
    default: Any
    help: str
    parse: Callable[[str], Any] = str


SETTINGS: tuple[Setting, ...] = (
    Setting(
        "STORE",
        str(PROJECT_ROOT / "instance" / "geoportale.gpkg"),
        "The store: a GeoPackage path (built from DATA_ROOT and LAYERS_DIR), or a "
        "postgresql:// URL for PostGIS.",
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
    Setting("MAX_UPLOAD_MB", 200, "Largest request body (uploads), in megabytes.", int),
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
        "MAPS_DIR",
        str(PROJECT_ROOT / "instance" / "maps"),
        "Directory of the published maps' definitions (one JSON file per map; /embed/<slug>).",
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
                raise SettingsError(f"GEOPORTALE_{s.name}={raw!r}: {exc}") from None
        values[s.name] = overrides.get(s.name, value)
    unknown = set(overrides) - {s.name for s in SETTINGS}
    if unknown:
        raise SettingsError(f"unknown settings: {', '.join(sorted(unknown))}")
    return values
