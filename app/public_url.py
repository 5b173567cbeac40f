"""Absolute links on one public base URL (`BASE_URL`), never on the request's `Host`.

Links in the API documents, the catalogue, the feeds, the embed snippets and the OpenAPI
`servers` are absolute. Built from the request, they follow whatever `Host` header a client
sends, and a shared cache that keys on its own idea of the host (nginx's default
`proxy_cache_key` uses the upstream's name) then serves a hostile host's links to everyone.

- `BASE_URL` set (production): `PublicBase` makes every request look made on that URL
  (scheme, host, path prefix) before Flask sees it, so `url_for(..., _external=True)`,
  `request.url_root` and the link cache all use it, and `Host` changes nothing.
- `BASE_URL` empty (development, `flask run`): links follow the request as before, and every
  response says `Vary: Host`, so a cache keeps one copy per host instead of sharing one.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, Response

from app.settings import SettingsError, parse_base_url


class PublicBase:
    """WSGI middleware: each request is seen as made on `base` (see the module docstring).

    The path prefix becomes SCRIPT_NAME; a PATH_INFO that still carries it (a proxy that
    does not strip it) loses it, so both proxy styles route the same.
    """

    def __init__(self, wsgi_app, base: str):
        parts = urlsplit(base)
        self.wsgi_app = wsgi_app
        self.scheme, self.host, self.prefix = parts.scheme, parts.netloc, parts.path
        self.server = (parts.hostname, str(parts.port or (443 if parts.scheme == "https" else 80)))

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if self.prefix and (path == self.prefix or path.startswith(self.prefix + "/")):
            environ["PATH_INFO"] = path[len(self.prefix) :]
        environ["wsgi.url_scheme"] = self.scheme
        environ["HTTP_HOST"] = self.host
        environ["SERVER_NAME"], environ["SERVER_PORT"] = self.server
        environ["SCRIPT_NAME"] = self.prefix
        return self.wsgi_app(environ, start_response)


def _vary_host(response: Response) -> Response:
    response.vary.add("Host")
    return response


def init_app(app: Flask, settings: dict) -> None:
    """Serve on `BASE_URL` when set; else mark every response as depending on `Host`."""
    try:  # again here: settings given by name (tests) skip the environment's parsing
        base = parse_base_url(settings["BASE_URL"])
    except ValueError as exc:
        raise SettingsError(f"GEOPORTALE_BASE_URL={settings['BASE_URL']!r}: {exc}") from None
    if base:
        app.wsgi_app = PublicBase(app.wsgi_app, base)
    else:
        app.after_request(_vary_host)
