"""OpenAPI of the Part 4 writes (app/ogcapi/transactions.py): per editable collection, POST
on its items, PUT/PATCH/DELETE on an item, OPTIONS on both, and its pending edits.

Writes need a Bearer token (or the admin session with its X-CSRF-Token header, which
OpenAPI cannot state: the `bearer` scheme is the one documented).
"""

from __future__ import annotations

from app.geo.crs import supported_crs_uris
from app.limits import LIMIT_TEXT
from app.registry.spec import LayerSpec

_PROBLEM = {"$ref": "#/components/responses/Problem"}
_FEATURE = {"$ref": "#/components/schemas/feature"}
_SECURITY = [{"bearer": []}]
_ERRORS = {
    "400": "Not a GeoJSON Feature, invalid field or geometry (`parameter` names it), or an "
    "unsupported Content-Crs.",
    "401": "No valid token (WWW-Authenticate says how to authenticate).",
    "403": "The token's user is not an editor, or the layer is not editable.",
    "404": "Unknown collection or feature.",
    "409": "A feature with this id exists.",
    "412": "If-Match is stale: the feature changed since it was read (`currentETag`).",
    "413": "Body too large.",
    "415": "Body not in an accepted media type.",
    "428": "If-Match missing.",
    "429": "Too many bad tokens from this address (Retry-After).",
}


def _header(description: str, schema: dict | None = None) -> dict:
    return {"description": description, "schema": schema or {"type": "string"}}


def headers() -> dict:
    """components.headers: what a write response says."""
    return {
        "ETag": _header("Strong ETag of the feature as stored (send it as If-Match)."),
        "Location": _header("URL of the created feature.", {"type": "string", "format": "uri"}),
        "Content-Crs": _header("CRS of the geometry in the body (CRS84)."),
        "Geoportale-Draft-Of": _header(
            "The served version the editors' draft is based on.", {"type": "integer"}
        ),
        "Geoportale-Published-Version": _header(
            "The new served version, where the layer publishes each edit at once.",
            {"type": "integer"},
        ),
        "Geoportale-Warning": _header(
            "`outside-comune`: the geometry lies outside the comune's boundary (kept).",
            {"type": "string", "enum": ["outside-comune"]},
        ),
    }


def parameters() -> dict:
    """components.parameters: the request headers and the draft switch."""
    return {
        "If-Match": {
            "name": "If-Match",
            "in": "header",
            "required": True,
            "description": "The ETag of the feature as read (GET, or the last write's).",
            "schema": {"type": "string"},
        },
        "Content-Crs": {
            "name": "Content-Crs",
            "in": "header",
            "required": False,
            "description": "CRS of the body's geometry, as <uri> (default CRS84).",
            "schema": {"type": "string", "enum": [f"<{u}>" for u in supported_crs_uris()]},
        },
        "draft": {
            "name": "draft",
            "in": "query",
            "required": False,
            "description": "true: the feature as the editors' draft holds it (needs a token).",
            "schema": {"type": "boolean", "default": False},
        },
    }


def security_schemes() -> dict:
    return {
        "bearer": {
            "type": "http",
            "scheme": "bearer",
            "description": "An API token of a SIT office user (see docs/api.md).",
        }
    }


def _written(status: str, description: str, settings: dict, *, body=True, created=False) -> dict:
    ok: dict = {"description": description, "headers": {}}
    names = ["Geoportale-Draft-Of", "Geoportale-Published-Version"]
    if body:
        ok["content"] = {"application/geo+json": {"schema": _FEATURE}}
        names += ["ETag", "Content-Crs", "Geoportale-Warning"]
    if created:
        names.append("Location")
    ok["headers"] = {n: {"$ref": f"#/components/headers/{n}"} for n in names}
    errors = dict(_ERRORS)
    errors["413"] += " " + LIMIT_TEXT["MAX_PUBLIC_BODY_KB"].format(settings["MAX_PUBLIC_BODY_KB"])
    return {status: ok, **{code: _PROBLEM for code in errors}}


def _body(*media: str) -> dict:
    return {"required": True, "content": {m: {"schema": {"type": "object"}} for m in media}}


def _options(op_id: str, title: str, parameters: list) -> dict:
    return {
        "operationId": op_id,
        "summary": f"{title}: the methods allowed (Allow)",
        "parameters": parameters,
        "responses": {
            "204": {"description": "Allow lists them.", "headers": {"Allow": _header("Methods.")}},
            "404": _PROBLEM,
        },
    }


def _secured(op: dict) -> dict:
    return {**op, "security": _SECURITY}


def items_operations(spec: LayerSpec, settings: dict) -> dict:
    """Operations added to /collections/{id}/items."""
    title = spec.title.get("en")
    out = {"options": _options(f"optionsItems_{spec.id}", title, [])}
    if spec.editing.enabled:
        out["post"] = _secured(
            {
                "operationId": f"createItem_{spec.id}",
                "summary": f"{title}: add a feature to the draft",
                "parameters": [{"$ref": "#/components/parameters/Content-Crs"}],
                "requestBody": _body("application/geo+json", "application/json"),
                "responses": _written("201", "Created.", settings, created=True),
            }
        )
    return out


def item_operations(spec: LayerSpec, settings: dict, feature_id: dict) -> dict:
    """Operations added to /collections/{id}/items/{featureId}."""
    title = spec.title.get("en")
    out = {"options": _options(f"optionsItem_{spec.id}", title, [feature_id])}
    if not spec.editing.enabled:
        return out
    if_match = {"$ref": "#/components/parameters/If-Match"}
    crs = {"$ref": "#/components/parameters/Content-Crs"}
    out["put"] = _secured(
        {
            "operationId": f"replaceItem_{spec.id}",
            "summary": f"{title}: replace a feature in the draft",
            "parameters": [feature_id, if_match, crs],
            "requestBody": _body("application/geo+json", "application/json"),
            "responses": _written("200", "Replaced.", settings),
        }
    )
    out["patch"] = _secured(
        {
            "operationId": f"updateItem_{spec.id}",
            "summary": f"{title}: change a feature in the draft (JSON merge patch)",
            "parameters": [feature_id, if_match, crs],
            "requestBody": _body("application/merge-patch+json", "application/json"),
            "responses": _written("200", "Updated.", settings),
        }
    )
    out["delete"] = _secured(
        {
            "operationId": f"deleteItem_{spec.id}",
            "summary": f"{title}: remove a feature from the draft",
            "parameters": [feature_id, if_match],
            "responses": _written("204", "Deleted.", settings, body=False),
        }
    )
    return out


def edits_path(spec: LayerSpec) -> dict:
    """/collections/{id}/edits: the pending edits, per feature."""
    return {
        "get": _secured(
            {
                "operationId": f"getEdits_{spec.id}",
                "summary": f"{spec.title.get('en')}: pending edits (editors)",
                "responses": {
                    "200": {
                        "description": "The served version and the pending changes.",
                        "content": {"application/json": {"schema": {"type": "object"}}},
                    },
                    **{code: _PROBLEM for code in ("400", "401", "403", "404", "429")},
                },
            }
        )
    }
