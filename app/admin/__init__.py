"""The SIT office's admin area under /admin: users, login, CSRF, roles, and the shell.

- `auth`: `login_required`, `role_required("admin")`, `current_user()`, `csrf_field()`,
  and the guard that closes every /admin path to anonymous users (see its docstring);
- `accounts`: the SQLite user database; `limiter`: the login rate limit; `cli`: `flask users create|list|passwd|disable|token|tokens`;
- `nav`: `register_nav(app, endpoint, label, role, order)` adds a page to the admin nav;
- `views`: login, logout, dashboard; `streets`: the street list autocomplete. Templates in templates/admin/ extend admin/base.html.
"""

from __future__ import annotations

from pathlib import Path

from flask import Flask

from app.admin import streets as _streets  # noqa: F401  (its route, on bp)
from app.admin.accounts import AccountStore
from app.admin.auth import (
    ACCOUNTS_KEY,
    LIMITER_KEY,
    admin_response_headers,
    csrf_field,
    csrf_token,
    current_user,
    guard_admin,
    login_required,
    role_required,
)
from app.admin.cli import users_cli
from app.admin.limiter import LoginLimiter, LoginPolicy
from app.admin.nav import nav_for, register_nav
from app.admin.views import bp
from app.security import CURRENT_USER_KEY

__all__ = ["init_app", "login_required", "role_required", "current_user", "register_nav"]


def init_app(app: Flask, settings: dict) -> None:
    """Wire the admin into the app: user database, guard, template helpers, views, CLI."""
    store = app.extensions[ACCOUNTS_KEY] = AccountStore(Path(settings["ACCOUNTS"]))
    policy = LoginPolicy(
        account_failures=settings["LOGIN_ACCOUNT_FAILURES"],
        account_max_delay=settings["LOGIN_ACCOUNT_MAX_DELAY"],
        trusted_days=settings["LOGIN_TRUSTED_DAYS"],
    )
    app.extensions[LIMITER_KEY] = LoginLimiter(store, policy)
    app.before_request(guard_admin)
    app.after_request(admin_response_headers)
    app.jinja_env.globals.update(
        csrf_field=csrf_field,
        csrf_token=csrf_token,
        current_admin=current_user,
        admin_nav=lambda: nav_for(current_user()),
    )
    app.extensions[CURRENT_USER_KEY] = current_user  # the body limit asks who is logged in
    app.register_blueprint(bp)
    register_nav(app, "admin.dashboard", "Layer pubblicati", order=0)
    from app.admin import publishing

    publishing.init_app(app)
    app.cli.add_command(users_cli)
