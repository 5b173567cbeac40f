"""Typed errors, raised anywhere and turned into responses in one place.

API clients get an RFC 9457 problem body (`application/problem+json`); browsers get an
HTML page. Neither ever shows a stack trace or an internal path.
"""

from __future__ import annotations

import logging
import re

from flask import Flask, Response, json, render_template, request
from werkzeug.exceptions import HTTPException

log = logging.getLogger(__name__)


class GeoportaleError(Exception):
    """Base of every error with a safe, user-facing message."""

    status = 500
    code = "internal-error"
    title = "Internal error"

    #: Whether a 5xx detail is safe to show (most 5xx details may name internals: hidden).
    public_detail = False

    def __init__(self, detail: str, parameter: str | None = None):
        super().__init__(detail)
        self.detail = detail
        self.parameter = parameter

    def members(self) -> dict:
        """Extra members of the problem body (RFC 9457 extensions), e.g. the limit hit."""
        return {}

    def headers(self) -> dict:
        """Extra response headers, e.g. Retry-After."""
        return {}


class NotFound(GeoportaleError):
    status = 404
    code = "not-found"
    title = "Not found"


class LayerNotFound(NotFound):
    code = "collection-not-found"
    title = "Collection not found"


class FeatureNotFound(NotFound):
    code = "feature-not-found"
    title = "Feature not found"


class InvalidParameter(GeoportaleError):
    status = 400
    code = "invalid-parameter"
    title = "Invalid parameter"


class LimitExceeded(InvalidParameter):
    """A request would do or return more than a configured limit allows.

    The problem names the setting (`limit`, e.g. GEOPORTALE_MAX_PAIRS) and its value
    (`maximum`), so a client knows what to narrow and an operator what to raise.
    """

    code = "limit-exceeded"
    title = "Limit exceeded"

    def __init__(self, detail: str, parameter: str | None, setting: str, maximum: int):
        super().__init__(detail, parameter)
        self.setting = setting
        self.maximum = maximum

    def members(self) -> dict:
        return {"limit": f"GEOPORTALE_{self.setting}", "maximum": self.maximum}


class ServerBusy(GeoportaleError):
    """Every slot for heavy work is taken: try again after `retry_after` seconds."""

    status = 503
    code = "server-busy"
    title = "Server busy"
    public_detail = True

    def __init__(self, detail: str, retry_after: int):
        super().__init__(detail)
        self.retry_after = retry_after

    def members(self) -> dict:
        return {"limit": "GEOPORTALE_HEAVY_SLOTS", "retryAfter": self.retry_after}

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class NotAcceptable(GeoportaleError):
    status = 406
    code = "not-acceptable"
    title = "Format not available"


class RegistryError(GeoportaleError):
    """A layer file is invalid; the message names the file and the field."""

    code = "invalid-layer-file"
    title = "Invalid layer file"


class StoreError(GeoportaleError):
    """The store is missing, corrupt or cannot be written."""

    status = 503
    code = "store-unavailable"
    title = "Data store unavailable"
    public_detail = True


class PrimaryUnavailable(StoreError):
    """A write (import, publish, edit, the admin's reads) needs the primary database and it
    cannot be reached; public reads go on from the read replicas (GEOPORTALE_STORE_READ).
    503 with Retry-After: the request is valid and will work once the primary is back."""

    code = "primary-unavailable"
    title = "Primary database unavailable"
    retry_after = 30

    def members(self) -> dict:
        return {"setting": "GEOPORTALE_STORE", "retryAfter": self.retry_after}

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class ExportFailed(GeoportaleError):
    """A download file could not be written (GDAL refused the data, the disk is full, ...).

    A 500, not the 503 of an unavailable store: the store answered, and asking again will
    not help. The detail names the layer and the format; GDAL's own message, which may
    name server paths, goes to the log only."""

    status = 500
    code = "download-not-written"
    title = "Download could not be written"
    public_detail = True

    def __init__(self, layer: str, fmt: str):
        super().__init__(
            f"Il file {fmt} del layer '{layer}' non si è potuto scrivere. / The {fmt} "
            f"download of layer '{layer}' could not be written.",
        )
        self.layer = layer
        self.format = fmt

    def members(self) -> dict:
        return {"layer": self.layer, "format": self.format}


class QueryTimeout(GeoportaleError):
    """A public read ran past QUERY_TIMEOUT_MS and the store stopped it.

    503 with Retry-After, not a 400: the request may be valid (the limit is this server's
    capacity, and the same filter can succeed on a quieter server or a higher limit), and a
    4xx would tell clients and caches that the request itself is wrong. The detail names
    what to narrow."""

    status = 503
    code = "query-timeout"
    title = "Query took too long"
    public_detail = True
    retry_after = 10

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class DataError(GeoportaleError):
    """A data source cannot be read or does not match its layer file."""

    status = 422
    code = "invalid-data"
    title = "Invalid data"


class InvalidFeature(InvalidParameter):
    """A feature sent to be written is not valid for its layer; `parameter` names the
    field (or `geometry`)."""

    code = "invalid-feature"
    title = "Invalid feature"


class UnsupportedMediaType(GeoportaleError):
    """A request body in a media type the resource does not take (names the accepted)."""

    status = 415
    code = "unsupported-media-type"
    title = "Unsupported media type"


class EditingDisabled(GeoportaleError):
    status = 403
    code = "editing-disabled"
    title = "Layer not editable"


class FeatureExists(GeoportaleError):
    status = 409
    code = "feature-exists"
    title = "Feature exists"


class PreconditionFailed(GeoportaleError):
    """The feature changed since the client read it (its If-Match is stale)."""

    status = 412
    code = "precondition-failed"
    title = "Feature changed meanwhile"

    def __init__(self, detail: str, current_etag: str | None = None):
        super().__init__(detail)
        self.current_etag = current_etag

    def members(self) -> dict:
        return {"currentETag": self.current_etag} if self.current_etag else {}


class PreconditionRequired(GeoportaleError):
    """A change of an existing feature without If-Match: it could overwrite another's."""

    status = 428
    code = "precondition-required"
    title = "If-Match required"


class EditConflict(GeoportaleError):
    """The layer was republished since the edits began and some edited features changed
    in it: publishing the edits would overwrite those changes."""

    status = 409
    code = "edit-conflict"
    title = "Edits conflict with a newer version"

    def __init__(self, detail: str, features: list[str]):
        super().__init__(detail)
        self.features = features

    def members(self) -> dict:
        return {"features": self.features}


# -- who may write (app/admin/auth.py) -----------------------------------------------------


class Unauthorized(GeoportaleError):
    """No credentials (or none we accept): log in, or send `Authorization: Bearer <token>`.

    `challenge` is the WWW-Authenticate value (RFC 9110: a 401 carries one, RFC 6750 says
    which); the admin's browser redirects go without."""

    status = 401
    code = "login-required"
    title = "Login required"

    def __init__(self, detail: str, challenge: str | None = None):
        super().__init__(detail)
        self.challenge = challenge

    def headers(self) -> dict:
        return {"WWW-Authenticate": self.challenge} if self.challenge else {}


class InvalidToken(Unauthorized):
    """An API token that is unknown, revoked, or whose user is disabled (one answer for all:
    the client learns only that this token does not work)."""

    code = "invalid-token"
    title = "Invalid token"


class Forbidden(GeoportaleError):
    """Known user, not allowed: their role is below the one the request needs."""

    status = 403
    code = "forbidden"
    title = "Forbidden"


class TooManyContributions(GeoportaleError):
    """A citizen's contribution over a rate limit (per address or per target)."""

    status = 429
    code = "too-many-contributions"
    title = "Too many contributions"

    def __init__(self, detail: str, retry_after: int, setting: str):
        super().__init__(detail)
        self.retry_after = max(1, int(retry_after))
        self.setting = setting

    def members(self) -> dict:
        return {"limit": f"GEOPORTALE_{self.setting}", "retryAfter": self.retry_after}

    def headers(self) -> dict:
        return {"Retry-After": str(self.retry_after)}


class ContributionNotFound(NotFound):
    code = "contribution-not-found"
    title = "Contribution not found"


class ContributionChanged(GeoportaleError):
    """A moderation step asked on a contribution in one status found it in another:
    another moderator acted meanwhile (`status`: the one it has now)."""

    status = 409
    code = "contribution-changed"
    title = "Contribution changed"

    def __init__(self, detail: str, now: str):
        super().__init__(detail)
        self.now = now

    def members(self) -> dict:
        return {"status_now": self.now}


# The directories of an absolute path ("/tmp/geoportale-upload-x/", "CSV:/srv/..."), not URLs.
_ABSOLUTE_DIRS = re.compile(r"(?<![\w./])(?:/[^\s/'\"():,;]+)+/")


def scrub_paths(text: str) -> str:
    """`text` with the directories of absolute paths left out, so only file names show."""
    return _ABSOLUTE_DIRS.sub("", text)


class ImportRefused(DataError):
    """The file cannot be imported as it is; the message says why and what to do.

    Messages often quote GDAL, which names files by their server path (a temporary upload
    directory): only the file's own name is shown.
    """

    code = "import-refused"
    title = "File not importable"

    def __init__(self, detail: str, parameter: str | None = None):
        super().__init__(scrub_paths(detail), parameter)


def wants_html() -> bool:
    """True when the client asked for HTML (`f=html`, or a browser's Accept header)."""
    fmt = request.args.get("f")
    if fmt:
        return fmt == "html"
    if not request.path.startswith(("/api", "/admin/api")):
        # pages and downloads: HTML, unless the client asks for JSON first (a script
        # fetching /download/... gets the problem it can read; browsers send text/html)
        best = request.accept_mimetypes.best_match(
            ["text/html", "application/problem+json", "application/json"], default="text/html"
        )
        return best == "text/html"
    best = request.accept_mimetypes.best_match(
        ["application/json", "application/geo+json", "text/html"], default="application/json"
    )
    return best == "text/html"


def _respond(
    status: int, code: str, title: str, detail: str, parameter: str | None, members=None
) -> Response:
    if wants_html():
        body = render_template("error.html", status=status, title=title, detail=detail)
        return Response(body, status=status, mimetype="text/html")
    problem = {"type": f"about:blank#{code}", "title": title, "status": status, "detail": detail}
    if parameter:
        problem["parameter"] = parameter
    problem.update(members or {})
    return Response(json.dumps(problem), status=status, mimetype="application/problem+json")


def register_error_handlers(app: Flask) -> None:
    """Map every error to one response shape, once."""

    @app.errorhandler(GeoportaleError)
    def _typed(exc: GeoportaleError):
        if exc.status >= 500:
            # A timed-out query is the limit doing its job: worth a warning, not an error.
            level = logging.WARNING if isinstance(exc, QueryTimeout) else logging.ERROR
            log.log(level, "%s: %s", exc.code, exc.detail)
            detail = exc.detail if exc.public_detail else "The server hit an error."
        else:
            detail = exc.detail
        response = _respond(exc.status, exc.code, exc.title, detail, exc.parameter, exc.members())
        response.headers.update(exc.headers())
        return response

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        code = (exc.name or "error").lower().replace(" ", "-")
        response = _respond(exc.code or 500, code, exc.name, exc.description or exc.name, None)
        for name, value in exc.get_headers():  # e.g. Allow on 405, Retry-After on 429
            if name.lower() != "content-type":
                response.headers[name] = value
        return response

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        log.exception("unhandled error on %s", request.path)
        return _respond(500, "internal-error", "Internal error", "The server hit an error.", None)


class ConsultationNotFound(NotFound):
    code = "consultation-not-found"
    title = "Consultation not found"


class ConsultationClosed(GeoportaleError):
    """A comment sent to a consultation outside its window (not open yet, ended, closed)."""

    status = 409
    code = "consultation-closed"
    title = "Consultation closed"
