"""The `contributi` collection's paths in /api/openapi (app.hooks `ogcapi.openapi_paths`),
with the shared parameters and problem responses of the layers' paths."""

from __future__ import annotations

from app.contributions import outputs
from app.contributions.public_data import TITLE
from app.ogcapi.links import GEOJSON, JSON, SCHEMA
from app.organisation import organisation


def openapi_paths() -> dict | None:
    """The collection's paths in /api/openapi (shared parameters and problem responses)."""
    spec = organisation().participation
    if spec is None:
        return None
    ref = lambda name: {"$ref": f"#/components/parameters/{name}"}  # noqa: E731
    problem = {"$ref": "#/components/responses/Problem"}

    def get(op_id: str, summary: str, params: list, schema: str, media: str) -> dict:
        content = {media: {"schema": {"$ref": f"#/components/schemas/{schema}"}}}
        return {
            "get": {
                "operationId": op_id,
                "summary": summary,
                "parameters": params,
                "responses": {
                    "200": {"description": "OK", "content": content},
                    "400": problem,
                    "404": problem,
                },
            }
        }

    def query(name: str, description: str, schema: dict) -> dict:
        return {"name": name, "in": "query", "description": description, "schema": schema}

    base = f"/collections/{outputs.COLLECTION}"
    title = TITLE["en"]
    cid = {"name": "featureId", "in": "path", "required": True, "schema": {"type": "string"}}
    html = {"schema": {"type": "string"}}  # f=html or a browser's Accept: a page for a person
    paths = {
        base: get("describe_contributi", f"{title}: metadata", [ref("f")], "document", JSON),
        f"{base}/items": get(
            "getItems_contributi",
            f"{title}: approved, located reports and proposals",
            [
                ref("f"),
                ref("bbox"),
                ref("limit"),
                ref("offset"),
                query("kind", "This kind.", {"type": "string", "enum": list(outputs.MAP_KINDS)}),
                query(
                    "state",
                    "This follow-up state.",
                    {"type": "string", "enum": [s.id for s in spec.states]},
                ),
                query("quartiere", "This quartiere's number.", {"type": "integer"}),
            ],
            "featureCollection",
            GEOJSON,
        ),
        f"{base}/items/{{featureId}}": get(
            "getItem_contributi", f"{title}: one", [ref("f"), cid], "feature", GEOJSON
        ),
        f"{base}/queryables": get(
            "getQueryables_contributi", f"{title}: queryables", [ref("f")], "document", SCHEMA
        ),
    }
    for path in (base, f"{base}/items", f"{base}/items/{{featureId}}"):
        paths[path]["get"]["responses"]["200"]["content"]["text/html"] = html
    return paths
