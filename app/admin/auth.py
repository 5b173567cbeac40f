"""Authentication, roles and CSRF for everything under /admin.

For views (in any blueprint mounted under /admin):

    from app.admin.auth import current_user, login_required, role_required

    @bp.get("/versions/<layer_id>")
    @login_required                      # any enabled user (editor or admin)
    def versions(layer_id): ...

    @bp.post("/users")
    @role_required("admin")              # admin only; implies login_required
    def add_user(): ...

    current_user().username              # the logged-in `User` (None when anonymous)

The guard (`guard_admin`, run before every request) also protects every /admin path by
itself, so a view that forgets its decorator is still closed to anonymous users:

- anonymous requests are refused: a browser is redirected to /admin/login?next=..., a client
  that asks for JSON (`Accept: application/json`) gets 401 with a problem body;
- every state-changing request (POST, PUT, PATCH, DELETE) must carry the session's CSRF
  token, as the form field `csrf_token` (write `{{ csrf_field() }}` inside each <form>) or the
  header `X-CSRF-Token` (JavaScript: read `{{ csrf_token() }}` from a meta tag; the admin base
  template puts it in `<meta name="csrf-token">`). Missing or wrong: 400.

Logins are rate-limited per username and client address, and per account over every
address (`limiter.py`); each attempt is reserved before its password is tested. Behind a
reverse proxy, run the app with werkzeug's ProxyFix so the client address is the visitor's,
not the proxy's.

Sessions are revocable: each carries its user's session generation, which logout, disable,
enable and a password change move on (`AccountStore.end_sessions`).

Writes through the API (outside /admin) ask `api_writer(role)` who is writing:

    user = api_writer()                  # editor or above, else an error is raised
    user = api_writer("admin")

A program sends `Authorization: Bearer <token>` (a personal token, `flask users token`):
no cookie, no CSRF token, no session made. Without a bearer token, the logged-in session
counts, with its CSRF token in `X-CSRF-Token` (the browser editor). Errors: no credentials
401 and bad tokens 401 (both with WWW-Authenticate), a role too low 403, a session without
its CSRF token 400, too many bad tokens from one address 429.
"""

from __future__ import annotations

import functools
import hmac
import logging
import secrets
from collections.abc import Callable
from urllib.parse import urlsplit

from flask import Response, current_app, g, json, redirect, request, session, url_for
from markupsafe import Markup, escape

from app.admin.account_rules import User, check_role
from app.admin.accounts import AccountStore
from app.admin.limiter import MAX_FAILURES as MAX_FAILURES  # re-exported for callers
from app.admin.limiter import WINDOW_SECONDS as WINDOW_SECONDS
from app.admin.limiter import Attempt, LoginLimiter, Refusal
from app.errors import Forbidden, GeoportaleError, InvalidToken, Unauthorized
from app.security import ADMIN_PREFIX

log = logging.getLogger(__name__)

ACCOUNTS_KEY = "geoportale.accounts"
LIMITER_KEY = "geoportale.login_limiter"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Endpoints under /admin that anonymous visitors may reach.
PUBLIC_ENDPOINTS = frozenset({"admin.login", "admin.logout", "admin.static"})
# The pages of a user who only moderates (role moderator): the contributions' queue and
# the consultations (app/consultations/admin.py).
MODERATOR_BLUEPRINT = "contributions_admin"
MODERATOR_BLUEPRINTS = frozenset({MODERATOR_BLUEPRINT, "consultations_admin"})
BEARER_CHALLENGE = 'Bearer realm="geoportale"'


class TooManyRequests(GeoportaleError):
    status = 429
    code = "too-many-requests"
    title = "Too many requests"


class CSRFError(GeoportaleError):
    status = 400
    code = "csrf-failed"
    title = "Invalid form token"


def accounts() -> AccountStore:
    """The current app's user database."""
    return current_app.extensions[ACCOUNTS_KEY]


# -- who is logged in ------------------------------------------------------------------


def current_user() -> User | None:
    """The logged-in, enabled user of this request, or None.

    A session ends when its user is disabled or changes password, and when the user's
    session generation moves on (logout, disable, enable, password change): a copy of the
    cookie dies with the session. Read on every request, so every worker sees it at once.
    """
    if "admin_user" not in g:
        g.admin_user = None
        uid = session.get("uid")
        if uid is not None:
            user = accounts().by_id(uid)
            if (
                user
                and not user.disabled
                and user.stamp == session.get("stamp")
                and user.session_gen == session.get("gen")
            ):
                g.admin_user = user
            else:
                session.clear()
    return g.admin_user


def login_user(user: User) -> None:
    """Start a fresh session for `user` (a new CSRF token; nothing kept from before)."""
    session.clear()
    session.permanent = True
    session["uid"] = user.id
    session["stamp"] = user.stamp
    session["gen"] = user.session_gen
    session["csrf"] = secrets.token_urlsafe(32)
    g.admin_user = user


def logout_user() -> None:
    """End the session here and server-side: every cookie of this user's sessions stops
    working (a signed cookie cannot be recalled, so the user's generation moves on)."""
    user = current_user()
    if user is not None:
        accounts().end_sessions(user.id)
    session.clear()
    g.admin_user = None


def wants_json() -> bool:
    """True when the client prefers JSON to HTML (fetch/XHR, API scripts)."""
    if request.args.get("f") == "json":
        return True
    best = request.accept_mimetypes.best_match(
        ["text/html", "application/json", "application/problem+json"], default="text/html"
    )
    return best != "text/html"


def _problem(exc: GeoportaleError) -> Response:
    """A problem+json body for JSON clients (the app-wide handlers answer /admin in HTML)."""
    body = {
        "type": f"about:blank#{exc.code}",
        "title": exc.title,
        "status": exc.status,
        "detail": exc.detail,
    }
    return Response(json.dumps(body), status=exc.status, mimetype="application/problem+json")


def refuse_anonymous() -> Response:
    """401 for JSON clients; for browsers, a redirect to the login page and back."""
    if wants_json():
        return _problem(Unauthorized("Accesso richiesto. / Login required."))
    target = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("admin.login", next=target))


def login_required(view: Callable) -> Callable:
    """Let only logged-in, enabled users (any role) reach `view`."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        if current_user() is None:
            return refuse_anonymous()
        return view(*args, **kwargs)

    return wrapper


def role_required(role: str) -> Callable[[Callable], Callable]:
    """Let only users with `role` or a higher one reach the view (implies login_required)."""
    check_role(role)

    def decorator(view: Callable) -> Callable:
        @functools.wraps(view)
        def wrapper(*args, **kwargs):
            user = current_user()
            if user is None:
                return refuse_anonymous()
            if not user.has_role(role):
                exc = Forbidden(f"Serve il ruolo {role}. / This needs the {role} role.")
                if wants_json():
                    return _problem(exc)
                raise exc
            return view(*args, **kwargs)

        return wrapper

    return decorator


# -- CSRF ------------------------------------------------------------------------------


def csrf_token() -> str:
    """This session's CSRF token (made on first use)."""
    token = session.get("csrf")
    if not token:
        token = session["csrf"] = secrets.token_urlsafe(32)
    return token


def csrf_field() -> Markup:
    """The hidden form field carrying the CSRF token: `{{ csrf_field() }}` in every form."""
    return Markup('<input type="hidden" name="csrf_token" value="{}">').format(escape(csrf_token()))


def check_csrf() -> None:
    """Raise CSRFError unless the request carries this session's token."""
    expected = session.get("csrf")
    given = request.headers.get("X-CSRF-Token") or request.form.get("csrf_token")
    if not expected or not given or not hmac.compare_digest(expected, given):
        log.warning(
            "CSRF check failed: %s %s from %s", request.method, request.path, request.remote_addr
        )
        raise CSRFError(
            "Il modulo è scaduto o non è valido: ricarica la pagina e riprova. "
            "/ The form expired or is invalid: reload the page and try again."
        )


# -- login rate limit ------------------------------------------------------------------


def limiter() -> LoginLimiter:
    """The current app's login rate limit."""
    return current_app.extensions[LIMITER_KEY]


def reserve_login(username: str) -> Attempt:
    """Reserve a login attempt before its password is tested; TooManyRequests if over a
    limit (with Retry-After)."""
    outcome = limiter().reserve(username, request.remote_addr or "")
    if isinstance(outcome, Attempt):
        return outcome
    g.retry_after = outcome.retry_after
    log.warning(
        "login refused (%s limit, %d s) for %r from %s",
        outcome.scope,
        outcome.retry_after,
        username[:64],
        request.remote_addr,
    )
    raise TooManyRequests(_wait_message(outcome))


def _wait_message(refusal: Refusal) -> str:
    wait = refusal.retry_after
    if wait < 120:
        it, en = f"{wait} secondi", f"{wait} seconds"
    else:
        minutes = round(wait / 60)
        it, en = f"{minutes} minuti", f"{minutes} minutes"
    return (
        f"Troppi tentativi di accesso falliti: riprova tra {it}. "
        f"/ Too many failed logins: try again in {en}."
    )


def login_failed(attempt: Attempt) -> None:
    """The reservation stays as the failure record; only the log needs telling."""
    log.warning("failed login for %r from %s", attempt.username[:64], attempt.address)


def login_succeeded(attempt: Attempt) -> None:
    limiter().succeeded(attempt)


def safe_next(target: str | None) -> str:
    """`target` if it is a path on this site, else the dashboard (no open redirects)."""
    if target:
        parts = urlsplit(target)
        if (
            target.startswith("/")
            and not target.startswith(("//", "/\\"))
            and not parts.scheme
            and not parts.netloc
            and target.isprintable()
            and "\\" not in target
        ):
            return target
    return url_for("admin.dashboard")


# -- the guard -------------------------------------------------------------------------


def in_admin(path: str) -> bool:
    return path == ADMIN_PREFIX or path.startswith(ADMIN_PREFIX + "/")


def guard_admin() -> Response | None:
    """Before every request: refuse anonymous users and missing CSRF tokens under /admin."""
    if not in_admin(request.path):
        return None
    if request.endpoint not in PUBLIC_ENDPOINTS and current_user() is None:
        return refuse_anonymous()
    user = current_user()
    if (
        user is not None
        and not user.has_role("editor")
        and request.endpoint not in PUBLIC_ENDPOINTS
        and request.blueprint not in MODERATOR_BLUEPRINTS
    ):
        # A moderator reaches the contributions' queue and nothing of the layers.
        if request.endpoint == "admin.dashboard":
            return redirect(url_for(f"{MODERATOR_BLUEPRINT}.queue"))
        raise Forbidden("Serve il ruolo editor. / This needs the editor role.")
    if request.method not in SAFE_METHODS:
        check_csrf()
    return None


def admin_response_headers(response: Response) -> Response:
    """Retry-After on a rate-limited login."""
    if response.status_code == 429 and g.get("retry_after"):
        response.headers["Retry-After"] = str(g.retry_after)
    return response


# -- API writes: bearer token or session + CSRF --------------------------------------------


def bearer_token() -> str | None:
    """The token of `Authorization: Bearer <token>`, or None without one.

    Other schemes (a reverse proxy's Basic login, say) are not ours: the request goes on
    as if it had none, so the browser editor behind such a proxy still uses its session.
    """
    scheme, _, token = request.headers.get("Authorization", "").strip().partition(" ")
    return token.strip() if scheme.lower() == "bearer" else None


def api_writer(role: str = "editor") -> User:
    """The user an API write is made for, with `role` or a higher one; raises otherwise.

    A bearer token decides alone (no CSRF, no session touched); without one, the session
    user and the session's CSRF token (`check_csrf`). Raises Unauthorized (no credentials),
    InvalidToken (unknown, revoked or disabled), TooManyRequests (too many bad tokens from
    this address), CSRFError, Forbidden (role below `role`).
    """
    check_role(role)
    token = bearer_token()
    if token is not None:
        user = _token_user(token)
    else:
        user = current_user()
        if user is None:
            raise Unauthorized(
                "Serve un token (Authorization: Bearer) o l'accesso. "
                "/ Send a token (Authorization: Bearer) or log in.",
                challenge=BEARER_CHALLENGE,
            )
        if request.method not in ("GET", "HEAD", "OPTIONS"):  # reads change nothing
            check_csrf()
    if not user.has_role(role):
        raise Forbidden(f"Serve il ruolo {role}. / This needs the {role} role.")
    return user


def _token_user(token: str) -> User:
    """The user of a good token; a bad one is counted against the client's address."""
    address = request.remote_addr or ""
    refusal = limiter().token_refusal(address)
    if refusal is not None:
        g.retry_after = refusal.retry_after
        log.warning("bearer request refused (%d s) from %s", refusal.retry_after, address)
        raise TooManyRequests(
            f"Troppi token non validi: riprova tra {refusal.retry_after} secondi. "
            f"/ Too many invalid tokens: try again in {refusal.retry_after} seconds."
        )
    user = accounts().authenticate_token(token)
    if user is None:
        limiter().token_failed(address)
        log.warning("invalid API token from %s", address)
        raise InvalidToken(
            "Token non valido, revocato o di un utente disattivato. "
            "/ The token is invalid, revoked, or its user is disabled.",
            challenge=f'{BEARER_CHALLENGE}, error="invalid_token"',
        )
    return user
