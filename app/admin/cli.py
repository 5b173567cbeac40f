"""`flask users ...`: create, list, change and disable the admin users."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.admin.accounts import (
    ROLES,
    AccountError,
    AccountStore,
    UserExists,
    check_role,
    check_username,
)
from app.admin.auth import ACCOUNTS_KEY

users_cli = AppGroup("users", help="The users of the admin area (/admin).")


def _store() -> AccountStore:
    return current_app.extensions[ACCOUNTS_KEY]


def _password(from_stdin: bool) -> str:
    """One line of stdin (for scripts), or asked twice without echo."""
    if from_stdin:
        return sys.stdin.readline().rstrip("\r\n")
    return click.prompt("Password", hide_input=True, confirmation_prompt=True)


def _fail(exc: AccountError):
    click.echo(f"error: {exc.detail}", err=True)
    raise SystemExit(1)


@users_cli.command("create")
@click.argument("name")
@click.option("--role", default="editor", show_default=True, help=f"One of: {', '.join(ROLES)}.")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def create(name: str, role: str, password_stdin: bool):
    """Create user NAME (password asked twice, at least 12 characters)."""
    try:
        check_username(name)  # names, roles and duplicates fail before the prompt
        check_role(role)
        if _store().find(name):
            raise UserExists(f"user {name.lower()!r} already exists")
        user = _store().create(name, _password(password_stdin), role)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"created {user.username} ({user.role})")


@users_cli.command("list")
def list_users():
    """List the users: name, role, created, status."""
    users = _store().list()
    for u in users:
        status = "disabled" if u.disabled else "active"
        click.echo(f"{u.username:<24} {u.role:<7} {u.created_at}  {status}")
    click.echo(f"{len(users)} users")


@users_cli.command("passwd")
@click.argument("name")
@click.option("--password-stdin", is_flag=True, help="Read the password from stdin.")
def passwd(name: str, password_stdin: bool):
    """Set a new password for NAME (its open sessions end)."""
    try:
        store = _store()
        store.get(name)
        store.set_password(name, _password(password_stdin))
    except AccountError as exc:
        _fail(exc)
    click.echo(f"password changed for {name.lower()}")


@users_cli.command("disable")
@click.argument("name")
def disable(name: str):
    """Disable NAME: no more logins, open sessions end at once."""
    try:
        user = _store().set_disabled(name, True)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"disabled {user.username}")


@users_cli.command("enable")
@click.argument("name")
def enable(name: str):
    """Enable NAME again."""
    try:
        user = _store().set_disabled(name, False)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"enabled {user.username}")
