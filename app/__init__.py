"""The geoportal of a comune (named by its organisation file): the Flask application factory."""

from __future__ import annotations

import logging
from pathlib import Path

import click
from flask import Flask, current_app, request

from app import heavy, http, i18n, organisation, public_url
from app.errors import (
    DataError,
    GeoportaleError,
    RegistryError,
    StoreError,
    register_error_handlers,
)
from app.registry import load_registry
from app.security import init_security
from app.services import KEY, Services
from app.settings import load_settings
from app.stores import is_postgres, open_store
from app.stores.build import ensure_store

log = logging.getLogger("app")


def build_services(settings: dict) -> Services:
    """Sync the shipped layers into the store (if AUTO_BUILD), open it.

    A bad layer file or source is logged and leaves what the store already serves in
    place; with no store to fall back on, the error stands.
    """
    layers_dir = Path(settings["LAYERS_DIR"])
    root = Path(settings["DATA_ROOT"])
    store_path = settings["STORE"]
    if not is_postgres(store_path):
        store_path = Path(store_path)
    if settings["AUTO_BUILD"]:
        try:
            ensure_store(load_registry(layers_dir, root), root, layers_dir, store_path)
        except (RegistryError, DataError, StoreError) as exc:
            # With a store to fall back on (e.g. a read-only one), serve what it has.
            if isinstance(store_path, Path) and not store_path.is_file():
                raise
            log.error("shipped layers not updated, the store serves what it had: %s", exc.detail)
    # Reads made for requests are time-limited; the build above and the CLI are not.
    store = open_store(
        store_path,
        query_timeout_ms=settings["QUERY_TIMEOUT_MS"],
        replicas=settings["STORE_READ"],
        max_lag_ms=settings["REPLICA_MAX_LAG_MS"],
        poll_ms=settings["REPLICA_POLL_MS"],
        shared_dir=settings["LOCK_DIR"],
    )
    return Services(settings, store)


_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def _route_reads() -> None:
    """Where this request reads (app/stores/replicas.py): a writer reads from the primary
    and sees its own writes. A writer: an admin session (its cookie is sent), a
    request that changes something, any /admin page or API. The session cookie's presence
    is enough (reading the session would make every data response vary on Cookie)."""
    found = current_app.extensions.get(KEY)
    if isinstance(found, Services):
        writer = (
            request.method not in _SAFE_METHODS
            or request.path.startswith("/admin")
            or current_app.config["SESSION_COOKIE_NAME"] in request.cookies
        )
        found.store.route_reads(writer)


def _end_reads(_exc=None) -> None:
    found = current_app.extensions.get(KEY)
    if isinstance(found, Services):
        found.store.end_reads()


def _say_read_source(response):
    """`Geoportale-Read-From: replica 1` (or `primary`) when reads may go to replicas."""
    found = current_app.extensions.get(KEY)
    if isinstance(found, Services):
        source = found.store.read_source()
        if source is not None:
            response.headers["Geoportale-Read-From"] = source
    return response


def _serving() -> bool:
    """False inside a `flask <command>` other than `run`: those build what they need."""
    ctx = click.get_current_context(silent=True)
    return ctx is None or ctx.info_name == "run"


def create_app(test_config: dict | None = None) -> Flask:
    """Create the app. `test_config` overrides settings by name (e.g. {"STORE": path})."""
    app = Flask(__name__)
    settings = load_settings(test_config)
    organisation.init_app(app, settings)  # a bad file stops the start, naming file and field
    if app.extensions[organisation.KEY].programme:  # so does a bad programme file
        from app.programma.config import load_programme

        org = app.extensions[organisation.KEY]
        load_programme(str(org.programme.location(settings["ORGANISATION"])))
    if settings["SMTP_URL"]:  # mail on: someone must sign it (stops the start otherwise)
        from app.contributions.mail import sender

        with app.app_context():
            sender(settings)
    app.config["GEOPORTALE"] = settings
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    register_error_handlers(app)
    http.init_app(app)
    public_url.init_app(app, settings)
    i18n.init_app(app)
    # Tests (test_config given) get a throw-away session key unless they name one.
    ephemeral = test_config is not None and not {"SECRET_KEY", "SECRET_KEY_FILE"} & set(test_config)
    init_security(app, settings, ephemeral_key=ephemeral)
    heavy.init_app(app, settings, private=test_config is not None and "LOCK_DIR" not in test_config)
    if _serving():
        try:
            app.extensions[KEY] = build_services(settings)
        except GeoportaleError as exc:
            # Start anyway: every request answers with the reason (503), not a traceback.
            log.error("the geoportal cannot serve data: %s", exc.detail)
            app.extensions[KEY] = exc.detail
    app.before_request(_route_reads)  # before every hook that may read the store
    app.after_request(_say_read_source)
    app.teardown_request(_end_reads)

    from app import admin, catalog, cli, downloads, maps, ogcapi, viewer
    from app.ogcapi.tiles import bp as tiles_bp
    from app.styles.views import bp as styles_bp

    app.register_blueprint(ogcapi.bp, url_prefix="/api")
    app.register_blueprint(tiles_bp, url_prefix="/api")
    app.register_blueprint(styles_bp, url_prefix="/api")
    from app.wms import bp as wms_bp

    app.register_blueprint(wms_bp)  # /wms: WMS 1.3.0 drawn by Mapnik
    app.register_blueprint(ogcapi.transactions.session_bp, url_prefix="/admin/api")
    app.register_blueprint(viewer.bp)
    app.register_blueprint(downloads.bp)
    app.register_blueprint(catalog.bp)
    from app.programma.views import bp as programma_bp
    from app.quartieri.views import bp as quartieri_bp
    from app.search.views import bp as search_bp

    app.register_blueprint(search_bp)
    app.register_blueprint(quartieri_bp)
    app.register_blueprint(programma_bp)
    from app.processes import bp as processes_bp
    from app.workspace import bp as workspace_bp

    app.register_blueprint(processes_bp, url_prefix="/api/processes")
    app.register_blueprint(workspace_bp)
    admin.init_app(app, settings)
    maps.init_app(app)  # public /embed/<slug>, and the maps' admin pages
    from app import editing

    editing.init_app(app)  # the web editor and the georeferencing queue (/admin/edit)
    from app.fonti import views as fonti_views

    fonti_views.init_app(app)  # /fonti pages and the `cite` filter
    from app import contributions

    contributions.init_app(app)  # citizens' contributions, their moderation (/admin/contributions)
    from app import consultations

    consultations.init_app(app)  # consultations on a draft layer or a map (/consultazioni)
    cli.register(app)
    return app
