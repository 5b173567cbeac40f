"""Credentials of the API's writers in tests: a SIT office user and one of their API tokens."""

from __future__ import annotations

from app.admin.auth import ACCOUNTS_KEY

PASSWORD = "una-password-lunga-7"


def make_token(app, username: str, role: str = "editor") -> str:
    """A new user with `role` and an API token of theirs (as `flask users token` makes)."""
    accounts = app.extensions[ACCOUNTS_KEY]
    accounts.create(username, PASSWORD, role)
    return accounts.create_token(username).token


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}
