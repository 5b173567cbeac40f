"""OpenAPI paths of the bounded operations (processes, print, downloads), with their limits.

Each limit is stated twice, for people (the description, from app/limits.py) and for
machines (`maxItems`, `maximum`, the 413/503 responses and the Retry-After header), so a
client learns a maximum before it hits the problem that names it.
"""

from __future__ import annotations

from flask import url_for

from app.geo.io import EXPORT_FORMATS
from app.limits import LIMIT_TEXT, limits_text
from app.processes.definitions import EXECUTION_LIMITS, PROCESSES
from app.workspace.print_request import MAX_LAYERS, PAPER_MM

_PROBLEM = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/problem"}}}

#: Members a problem may add (RFC 9457 extensions), merged into the shared problem schema.
PROBLEM_MEMBERS = {
    "limit": {"type": "string", "description": "The setting of the limit hit (GEOPORTALE_*)."},
    "maximum": {"type": "integer", "description": "Its value."},
    "retryAfter": {"type": "integer", "description": "Seconds to wait (503 busy)."},
}


def _problem(description: str) -> dict:
    return {"description": description, "content": _PROBLEM}


def _errors(settings: dict, bad: str, body: bool) -> dict:
    """400/404 (and 413 for a body) and 503 busy with Retry-After."""
    out = {"400": _problem(bad), "404": _problem("Unknown layer or process.")}
    if body:
        out["413"] = _problem(
            "Body too large: "
            + LIMIT_TEXT["MAX_PUBLIC_BODY_KB"].format(settings["MAX_PUBLIC_BODY_KB"])
        )
    out["503"] = {
        "description": "Busy: " + LIMIT_TEXT["HEAVY_SLOTS"].format(settings["HEAVY_SLOTS"]),
        "headers": {"Retry-After": {"schema": {"type": "integer"}, "description": "Seconds."}},
        "content": _PROBLEM,
    }
    return out


def _binary(*media_types: str) -> dict:
    return {m: {"schema": {"type": "string", "format": "binary"}} for m in media_types}


def _execution(settings: dict) -> dict:
    names = EXECUTION_LIMITS + ("MAX_PAIRS", "MAX_RESULT_FEATURES")
    body = {
        "type": "object",
        "required": ["inputs"],
        "properties": {
            "inputs": {"type": "object", "description": "Input values by id (see the process)."},
            "outputs": {"type": "object"},
            "response": {"type": "string", "enum": ["document", "raw"]},
        },
    }
    ids = {"type": "string", "enum": list(PROCESSES)}
    return {
        "post": {
            "operationId": "executeProcess",
            "summary": "Execute a process (synchronous)",
            "description": limits_text(settings, names),
            "parameters": [
                {"name": "processId", "in": "path", "required": True, "schema": ids},
                {
                    "name": "f",
                    "in": "query",
                    "description": "One output, raw.",
                    "schema": {"type": "string", "enum": ["csv", "geojson", "svg"]},
                },
            ],
            "requestBody": {
                "required": True,
                "description": LIMIT_TEXT["MAX_PUBLIC_BODY_KB"].format(
                    settings["MAX_PUBLIC_BODY_KB"]
                ),
                "content": {"application/json": {"schema": body}},
            },
            "responses": {
                "200": {
                    "description": "The outputs (a document, or one output raw).",
                    "content": {
                        "application/json": {"schema": {"type": "object"}},
                        "application/geo+json": {"schema": {"type": "object"}},
                        **_binary("text/csv", "image/svg+xml"),
                    },
                },
                **_errors(settings, "Invalid input, or a limit exceeded (named).", True),
            },
        }
    }


def _print(settings: dict) -> dict:
    names = ("MAX_PUBLIC_BODY_KB", "MAX_PRINT_FEATURES", "HEAVY_SLOTS")
    body = {
        "type": "object",
        "required": ["bbox"],
        "properties": {
            "title": {"type": "string", "maxLength": 120},
            "bbox": {"type": "array", "items": {"type": "number"}, "minItems": 4, "maxItems": 4},
            "layers": {"type": "array", "maxItems": MAX_LAYERS},
            "paper": {"type": "string", "enum": list(PAPER_MM)},
            "orientation": {"type": "string", "enum": ["portrait", "landscape"]},
            "format": {"type": "string", "enum": ["pdf", "png"]},
            "highlight": {"type": "object"},
            "choropleth": {"type": "object"},
        },
    }
    return {
        "post": {
            "operationId": "printMap",
            "summary": "Print a view of the workspace (PDF or PNG)",
            "description": limits_text(settings, names),
            "requestBody": {"required": True, "content": {"application/json": {"schema": body}}},
            "responses": {
                "200": {
                    "description": "The page.",
                    "content": _binary("application/pdf", "image/png"),
                },
                **_errors(settings, "Invalid member, or MAX_PRINT_FEATURES exceeded.", True),
            },
        }
    }


def _download(settings: dict, published: list[str]) -> dict:
    names = ("MAX_DOWNLOAD_FEATURES", "HEAVY_SLOTS")
    files = [f"{layer}.{fmt}" for layer in published for fmt in EXPORT_FORMATS]
    text = limits_text(settings, names) + (
        f" Downloads of more than {settings['HEAVY_DOWNLOAD_FEATURES']} features are heavy."
    )
    param = {"in": "query", "required": False, "schema": {"type": "string"}}
    return {
        # downloads live at the site root, not under /api
        "servers": [{"url": url_for("viewer.index", _external=True).rstrip("/")}],
        "get": {
            "operationId": "download",
            "summary": "Download a layer (GeoJSON, GeoPackage, zipped shapefile, CSV, KML)",
            "description": text,
            "parameters": [
                {
                    "name": "file",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "enum": files},
                },
                {"name": "crs", **param},
                {"name": "filter", **param},
                {"name": "filter-lang", **param},
            ],
            "responses": {
                "200": {
                    "description": "The file.",
                    "content": _binary(*{m[2] for m in EXPORT_FORMATS.values()}),
                },
                **_errors(settings, "Invalid parameter, or MAX_DOWNLOAD_FEATURES exceeded.", False),
            },
        },
    }


def limited_paths(settings: dict, published: list[str]) -> dict:
    """Paths (relative to /api) of the process execution, the print and the downloads."""
    return {
        "/processes/{processId}/execution": _execution(settings),
        "/workspace/print": _print(settings),
        "/download/{file}": _download(settings, published),
    }
