"""`flask users ...`: create, list, change and disable the admin users; their API tokens."""

from __future__ import annotations

import sys

import click
from flask import current_app
from flask.cli import AppGroup

from app.admin.account_rules import ROLES, AccountError, UserExists, check_role, check_username
from app.admin.accounts import AccountStore
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
    _note_tokens(name, "still work: revoke them with `users token NAME --revoke all`")


@users_cli.command("disable")
@click.argument("name")
def disable(name: str):
    """Disable NAME: no more logins, open sessions end at once."""
    try:
        user = _store().set_disabled(name, True)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"disabled {user.username}")
    _note_tokens(name, "stop working while the user is disabled")


@users_cli.command("enable")
@click.argument("name")
def enable(name: str):
    """Enable NAME again."""
    try:
        user = _store().set_disabled(name, False)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"enabled {user.username}")


def _note_tokens(name: str, what: str) -> None:
    """Say on stderr what became of the user's active API tokens (if they have any)."""
    active = sum(t.active for t in _store().list_tokens(name))
    if active:
        click.echo(f"note: {active} active API token(s) of {name.lower()} {what}", err=True)


@users_cli.command("token")
@click.argument("name")
@click.option("--label", default="", help="What the token is for (shown by `users tokens`).")
@click.option("--revoke", metavar="ID|all", help="Revoke token ID of NAME, or all of them.")
def token(name: str, label: str, revoke: str | None):
    """Print a new API token for NAME (shown only now), or revoke one with --revoke."""
    try:
        if revoke is not None:
            _revoke(name, revoke, label)
            return
        issued = _store().create_token(name, label)
    except AccountError as exc:
        _fail(exc)
    click.echo(
        f"token {issued.id} for {name.lower()}: shown only now, keep it secret; "
        "send it as `Authorization: Bearer <token>`",
        err=True,
    )
    click.echo(issued.token)  # alone on stdout: `TOKEN=$(flask users token NAME)`


def _revoke(name: str, which: str, label: str) -> None:
    if label:
        raise AccountError("--label and --revoke do not go together")
    if which == "all":
        count = _store().revoke_tokens(name)
        click.echo(f"revoked {count} token(s) of {name.lower()}")
        return
    if not which.isdecimal():
        raise AccountError(f"--revoke takes a token id or 'all', not {which!r}")
    revoked = _store().revoke_token(name, int(which))
    click.echo(f"revoked token {revoked.id} of {revoked.username}")


@users_cli.command("tokens")
@click.argument("name")
def tokens(name: str):
    """List NAME's API tokens: id, created, last used, revoked, label (never the token)."""
    try:
        listed = _store().list_tokens(name)
    except AccountError as exc:
        _fail(exc)
    click.echo(f"{'id':>5}  {'created':<25}  {'last used':<25}  {'revoked':<25}  label")
    for t in listed:
        click.echo(
            f"{t.id:>5}  {t.created_at:<25}  {t.last_used_at or '-':<25}  "
            f"{t.revoked_at or '-':<25}  {t.label}"
        )
    click.echo(f"{len(listed)} tokens, {sum(t.active for t in listed)} active")
