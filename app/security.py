"""Security for the whole app: session key and cookie, request size limit, response headers.

`init_security(app, settings, ephemeral_key)` is called once by the factory. It

- sets the key that signs session cookies: `SECRET_KEY` from the environment, else a random
  key generated once and kept in `SECRET_KEY_FILE` (mode 0600) so sessions survive restarts;
  tests get a throw-away key;
- makes the session cookie `HttpOnly`, `SameSite=Lax`, `Secure` (unless `INSECURE_COOKIES`,
  for plain-http development only), scoped to `/admin` (public pages never carry it), and
  valid for 8 hours;
- limits request bodies to `MAX_PUBLIC_BODY_KB`, or `MAX_UPLOAD_MB` for a logged-in SIT
  office user (a 413 problem naming the limit beyond it); a public endpoint that needs more
  (a citizen's photo) declares its own allowance on its view (`allow_body`), and only it
  gets it;
- adds security headers to every response in one `after_request` hook.

The Content-Security-Policy allows only our own origin, plus the configured basemap host for
images. No page allows inline scripts: a page that has one (folium writes the map's) gives
it this response's nonce, `<script nonce="{{ csp_nonce() }}">` (trusted fragments such as
folium's rendered head go through the `|with_nonce` filter), and its policy then allows
scripts carrying that nonce. Styles keep `'unsafe-inline'` (folium's <style> blocks and the
legend swatches' style attributes). `/embed/...` pages may be framed by any site; the rest
only by our own.
"""

from __future__ import annotations

import logging
import os
import re
import secrets
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from flask import Flask, Response, current_app, g, request
from flask.sessions import SecureCookieSessionInterface
from markupsafe import Markup
from werkzeug.exceptions import RequestEntityTooLarge

from app.errors import LimitExceeded
from app.settings import SettingsError

log = logging.getLogger(__name__)

ADMIN_PREFIX = "/admin"
EMBED_PREFIX = "/embed/"
SESSION_COOKIE = "geoportale_admin"
SESSION_HOURS = 8
#: app.extensions key of the admin's `current_user()` (registered by app.admin.init_app).
CURRENT_USER_KEY = "geoportale.current_user"
_HOST = re.compile(r"^[A-Za-z0-9.*-]+(:[0-9]+)?$")
_SCRIPT_TAG = re.compile(r"<script\b(?![^>]*\bnonce=)", re.IGNORECASE)


class PayloadTooLarge(LimitExceeded):
    status = 413
    code = "payload-too-large"
    title = "Request too large"


@dataclass(frozen=True)
class BodyAllowance:
    """A public endpoint's own body limit: `size(settings)` bytes, and beyond it the problem
    `refusal(settings)` (naming what the client should make smaller)."""

    size: Callable[[dict], int]
    refusal: Callable[[dict], LimitExceeded]


BODY_ALLOWANCE = "geoportale_body_allowance"


def allow_body(allowance: BodyAllowance):
    """Declare a view's body allowance (instead of MAX_PUBLIC_BODY_KB): `@allow_body(...)`
    under its route decorator."""

    def mark(view):
        setattr(view, BODY_ALLOWANCE, allowance)
        return view

    return mark


# -- session key ------------------------------------------------------------------------


def load_or_create_secret(path: Path) -> str:
    """The key kept in `path`; made (random, 256 bits, mode 0600) if the file is absent.

    Created through a hard link of a complete temporary file, so concurrent workers agree on
    one key and a crash never leaves a half-written one.
    """
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
            try:
                os.link(tmp, path)
                log.info("generated a new session key in %s", path)
            except FileExistsError:
                pass  # another worker made it first: use theirs
        finally:
            tmp.unlink(missing_ok=True)
    if path.stat().st_mode & 0o077:
        log.warning("%s is readable by other users: chmod 600 it", path)
    key = path.read_text().strip()
    if len(key) < 32:
        raise SettingsError(f"the session key file {path.name} is empty or too short")
    return key


def _session_key(settings: dict, ephemeral: bool) -> str:
    if settings["SECRET_KEY"]:
        if len(settings["SECRET_KEY"]) < 32:
            raise SettingsError("GEOPORTALE_SECRET_KEY must be at least 32 characters")
        return settings["SECRET_KEY"]
    if ephemeral:
        return secrets.token_hex(32)
    return load_or_create_secret(Path(settings["SECRET_KEY_FILE"]))


# -- content security policy -----------------------------------------------------------


def basemap_source(settings: dict) -> str | None:
    """The CSP source of the basemap host (`https://*.tile.example.org`), None if ours/none.

    `{s}`-style placeholders in the host name become `*`; a relative URL is our own origin.
    """
    if settings["BASEMAP"] == "none" or not settings["BASEMAP_URL"]:
        return None
    parts = urlsplit(settings["BASEMAP_URL"])
    if not parts.netloc:
        return None
    host = re.sub(r"\{[^}]*\}", "*", parts.netloc.rpartition("@")[2])
    if parts.scheme not in {"http", "https"} or not _HOST.match(host):
        raise SettingsError(f"GEOPORTALE_BASEMAP_URL: cannot use host {parts.netloc!r}")
    return f"{parts.scheme}://{host}"


def content_security_policy(settings: dict, *, nonce: str | None, embed: bool) -> str:
    """The policy of one response (see the module docstring)."""
    scripts = "'self'"
    if nonce:
        scripts += f" 'nonce-{nonce}'"
    images = "'self' data:"
    basemap = current_app.extensions.get("geoportale.csp_basemap")
    if basemap:
        images += " " + basemap
    directives = [
        "default-src 'self'",
        f"script-src {scripts}",
        "style-src 'self' 'unsafe-inline'",
        f"img-src {images}",
        "connect-src 'self'",
        "font-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors " + ("*" if embed else "'self'"),
    ]
    return "; ".join(directives)


def csp_nonce() -> str:
    """This response's script nonce (made on first use; the page's policy then allows it)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def with_nonce(html: str) -> Markup:
    """Trusted HTML (e.g. folium's rendered parts) with this response's nonce on each <script>.

    Only for markup the server generated itself: never for anything a user typed.
    """
    return Markup(_SCRIPT_TAG.sub(f'<script nonce="{csp_nonce()}"', str(html)))


def _in_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


_ALWAYS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "same-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=(self)"),
)


def security_headers(response: Response) -> Response:
    """Add the security headers to every response (views may set their own first)."""
    embed = request.path.startswith(EMBED_PREFIX)
    headers = response.headers
    present = {name.lower() for name in headers.keys()}  # one pass, not one per header
    for name, value in _ALWAYS:
        if name.lower() not in present:
            headers.add(name, value)
    if not embed and "x-frame-options" not in present:
        headers.add("X-Frame-Options", "SAMEORIGIN")
    if "content-security-policy" not in present:
        headers["Content-Security-Policy"] = content_security_policy(
            current_app.config["GEOPORTALE"],
            nonce=g.get("csp_nonce"),
            embed=embed,
        )
    if _in_admin(request.path):
        headers.setdefault("Cache-Control", "no-store")
    return response


class _CookieSessions(SecureCookieSessionInterface):
    """Flask's signed-cookie sessions, without building the signer for the requests that
    carry no session cookie (every public page, API call and tile)."""

    def open_session(self, app, request):
        if self.get_cookie_name(app) not in request.cookies:
            return self.session_class()
        return super().open_session(app, request)


def _public_limit(settings: dict) -> PayloadTooLarge:
    kb = settings["MAX_PUBLIC_BODY_KB"]
    return PayloadTooLarge(
        f"La richiesta supera il limite di {kb} KB. / The request body exceeds the limit for "
        f"requests without login (GEOPORTALE_MAX_PUBLIC_BODY_KB={kb}).",
        "body",
        "MAX_PUBLIC_BODY_KB",
        kb,
    )


def _upload_limit(settings: dict) -> PayloadTooLarge:
    mb = settings["MAX_UPLOAD_MB"]
    return PayloadTooLarge(
        f"La richiesta supera il limite di {mb} MB. / The request exceeds the {mb} MB limit "
        f"(GEOPORTALE_MAX_UPLOAD_MB={mb}).",
        "body",
        "MAX_UPLOAD_MB",
        mb,
    )


def _logged_in() -> bool:
    """Whether a SIT office user is logged in (only /admin requests carry the cookie)."""
    if not _in_admin(request.path) or SESSION_COOKIE not in request.cookies:
        return False
    # The admin package registers who is logged in (it builds on this module, not the
    # other way round): without it, nobody is.
    current_user = current_app.extensions.get(CURRENT_USER_KEY)
    return current_user is not None and current_user() is not None


def _public_allowance(settings: dict) -> tuple[int, LimitExceeded]:
    """This public request's body limit in bytes and its refusal: the view's declared
    allowance (`allow_body`), else MAX_PUBLIC_BODY_KB."""
    view = current_app.view_functions.get(request.endpoint) if request.endpoint else None
    allowance: BodyAllowance | None = getattr(view, BODY_ALLOWANCE, None)
    if allowance is None:
        return settings["MAX_PUBLIC_BODY_KB"] * 1024, _public_limit(settings)
    return allowance.size(settings), allowance.refusal(settings)


def limit_body() -> None:
    """Give this request its body limit: the upload one when logged in, else the public one
    (or the allowance its endpoint declares).

    A 189 MB JSON body to a process was accepted under the upload limit: anonymous
    requests (processes, prints, public forms) need kilobytes, so they get
    MAX_PUBLIC_BODY_KB. A declared length is refused at once. A chunked body declares none,
    and Werkzeug silently truncates a stream at its limit (the view would then see a cut
    body, not a 413): so it is read here, at most one byte past the limit, and kept for
    the view (`get_data(cache=True)`; forms parse from that copy too).
    """
    if request.content_length is None and request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if _logged_in():
        return  # MAX_CONTENT_LENGTH: the upload limit
    settings = current_app.config["GEOPORTALE"]
    limit, refusal = _public_allowance(settings)
    g.body_refusal = refusal  # for a limit Werkzeug finds while parsing (_too_large)
    if request.content_length is not None:
        request.max_content_length = limit
        if request.content_length > limit:
            raise refusal
        return
    request.max_content_length = limit + 1
    if len(request.get_data(cache=True)) > limit:
        raise refusal


def _too_large(exc: RequestEntityTooLarge):
    problem = g.get("body_refusal") or _upload_limit(current_app.config["GEOPORTALE"])
    return current_app.handle_user_exception(problem)


# -- wiring ------------------------------------------------------------------------------


def init_security(app: Flask, settings: dict, *, ephemeral_key: bool = False) -> None:
    """Session key and cookie, size limit, headers; see the module docstring."""
    app.secret_key = _session_key(settings, ephemeral_key)
    app.config.update(
        SESSION_COOKIE_NAME=SESSION_COOKIE,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=not settings["INSECURE_COOKIES"],
        SESSION_COOKIE_PATH=ADMIN_PREFIX,
        PERMANENT_SESSION_LIFETIME=timedelta(hours=SESSION_HOURS),
        MAX_CONTENT_LENGTH=settings["MAX_UPLOAD_MB"] * 1024 * 1024,
    )
    app.extensions["geoportale.csp_basemap"] = basemap_source(settings)
    app.jinja_env.globals["csp_nonce"] = csp_nonce
    app.jinja_env.filters["with_nonce"] = with_nonce
    app.session_interface = _CookieSessions()
    app.register_error_handler(RequestEntityTooLarge, _too_large)
    app.before_request(limit_body)
    app.after_request(security_headers)
