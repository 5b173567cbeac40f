"""HTTP efficiency for every response: compression, validators and cache lifetimes.

- gzip or brotli for text types (JSON, GeoJSON, HTML, CSS, JS, SVG) above 500 bytes;
- an ETag (a hash of the body) on successful GET responses of the API, the downloads and the
  catalogue, and 304 Not Modified when the client already has it;
- short public caching for those (a publish must show within a minute), one hour for the
  app's static files, never for the admin (it says no-store itself).
"""

from __future__ import annotations

from flask import Flask, Response, g, request
from flask_compress import Compress

_TEXT = [
    "text/html",
    "text/css",
    "text/csv",
    "text/plain",
    "application/javascript",
    "text/javascript",
    "application/json",
    "application/geo+json",
    "application/ld+json",
    "application/problem+json",
    "application/schema+json",
    "image/svg+xml",
    "application/vnd.oai.openapi+json",
    "application/vnd.google-earth.kml+xml",
    "application/vnd.ogc.sld+xml",  # the styles (app/styles)
    "application/vnd.qgis.qml",
    "application/vnd.mapbox.style+json",
]
_VALIDATED = ("/api/", "/download/", "/catalog.jsonld")
_CONDITIONAL = frozenset(
    ("HTTP_IF_NONE_MATCH", "HTTP_IF_MATCH", "HTTP_IF_MODIFIED_SINCE", "HTTP_RANGE", "HTTP_IF_RANGE")
)


def init_app(app: Flask) -> None:
    app.config.setdefault("COMPRESS_MIMETYPES", _TEXT)
    app.config.setdefault("COMPRESS_MIN_SIZE", 500)
    app.config.setdefault("COMPRESS_ALGORITHM", ["br", "gzip"])
    if app.config.get("SEND_FILE_MAX_AGE_DEFAULT") is None:  # Flask's default: no caching
        app.config["SEND_FILE_MAX_AGE_DEFAULT"] = 3600

    @app.after_request
    def _vary_accept(response: Response) -> Response:
        if g.get("vary_accept"):  # JSON or HTML by the Accept header (app/ogcapi/views.py)
            response.vary.add("Accept")
        return response

    @app.after_request
    def _validators(response: Response) -> Response:
        # Registered before Compress, so it runs after it: flask-compress hashes the ETag of
        # what it compressed; here the uncompressed GETs of the API get theirs.
        if (
            request.method == "GET"
            and response.status_code == 200
            and not response.direct_passthrough
            and request.path.startswith(_VALIDATED)
        ):
            if not response.get_etag()[0]:
                response.add_etag()
            response.headers.setdefault("Cache-Control", "public, max-age=60")
            if _CONDITIONAL.intersection(request.environ):  # else nothing to decide
                response.make_conditional(request)
        return response

    Compress(app)
