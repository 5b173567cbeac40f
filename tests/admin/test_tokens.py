"""Personal API tokens: `flask users token|tokens` and `AccountStore`'s token methods."""

from __future__ import annotations

import sqlite3
from datetime import UTC, datetime, timedelta

import pytest

from app.admin.account_rules import (
    TOKEN_PREFIX,
    AccountError,
    TokenNotFound,
    UserNotFound,
    token_digest,
)
from app.admin.accounts import AccountStore
from tests.admin.conftest import EDITOR


@pytest.fixture
def editor(accounts):
    return accounts.create(*EDITOR, "editor")


def _token(runner, name=EDITOR[0], *extra):
    return runner.invoke(args=["users", "token", name, *extra])


# -- the command line --------------------------------------------------------------------


def test_token_prints_only_the_token_on_stdout(runner, accounts, editor):
    result = _token(runner, EDITOR[0], "--label", "QGIS ufficio")
    assert result.exit_code == 0, result.output
    token = result.stdout.strip()
    assert result.stdout == token + "\n"  # one line: `TOKEN=$(flask users token NAME)` works
    assert token.startswith(TOKEN_PREFIX) and len(token) >= len(TOKEN_PREFIX) + 43  # 256 bits
    assert "shown only now" in result.stderr and token not in result.stderr
    assert accounts.authenticate_token(token) == accounts.get(EDITOR[0])
    assert _token(runner).stdout.strip() != token  # every token is new


def test_tokens_lists_without_the_token(runner, editor):
    token = _token(runner, EDITOR[0], "--label", "QGIS ufficio").stdout.strip()
    _token(runner)
    listed = runner.invoke(args=["users", "tokens", EDITOR[0].upper()])
    assert listed.exit_code == 0, listed.output
    lines = listed.output.splitlines()
    assert lines[0].split() == ["id", "created", "last", "used", "revoked", "label"]
    assert lines[1].split()[0] == "1" and lines[1].endswith("QGIS ufficio")
    assert lines[1].split()[2:4] == ["-", "-"]  # never used, not revoked
    assert lines[-1] == "2 tokens, 2 active"
    assert token not in listed.output and token_digest(token) not in listed.output


def test_revoke_one_then_all(runner, accounts, editor):
    first, second, third = (_token(runner).stdout.strip() for _ in range(3))
    result = _token(runner, EDITOR[0], "--revoke", "2")
    assert result.exit_code == 0, result.output
    assert result.output.strip() == f"revoked token 2 of {EDITOR[0]}"
    assert accounts.authenticate_token(second) is None
    assert accounts.authenticate_token(first) is not None
    listed = runner.invoke(args=["users", "tokens", EDITOR[0]]).output
    assert listed.splitlines()[-1] == "3 tokens, 2 active"
    assert listed.splitlines()[2].split()[3] != "-"  # token 2: revoked, with its time
    result = _token(runner, EDITOR[0], "--revoke", "all")
    assert result.exit_code == 0 and "revoked 2 token(s)" in result.output
    assert all(accounts.authenticate_token(t) is None for t in (first, second, third))


@pytest.mark.parametrize(
    "args, message",
    [
        (["users", "token", "nessuno"], "no user 'nessuno'"),
        (["users", "tokens", "nessuno"], "no user 'nessuno'"),
        (["users", "token", "nessuno", "--revoke", "all"], "no user 'nessuno'"),
        (["users", "token", EDITOR[0], "--revoke", "7"], "has no token 7"),
        (["users", "token", EDITOR[0], "--revoke", "tutti"], "a token id or 'all'"),
        (["users", "token", EDITOR[0], "--revoke", "1", "--label", "x"], "do not go together"),
        (["users", "token", EDITOR[0], "--label", "a\nb"], "invalid label"),
    ],
)
def test_clear_errors(runner, editor, args, message):
    result = runner.invoke(args=args)
    assert result.exit_code == 1, result.output
    assert "error: " in result.stderr and message in result.stderr
    assert isinstance(result.exception, SystemExit)  # a message, not a traceback
    assert result.stdout == ""


def test_a_disabled_user_gets_no_token(runner, accounts, editor):
    accounts.set_disabled(EDITOR[0])
    result = _token(runner)
    assert result.exit_code == 1 and "is disabled" in result.output


def test_disable_and_passwd_say_what_becomes_of_tokens(runner, editor):
    _token(runner)
    disabled = runner.invoke(args=["users", "disable", EDITOR[0]])
    assert "1 active API token(s)" in disabled.stderr and "stop working" in disabled.stderr
    runner.invoke(args=["users", "enable", EDITOR[0]])
    changed = runner.invoke(
        args=["users", "passwd", EDITOR[0], "--password-stdin"], input="un-altra-password-1\n"
    )
    assert changed.exit_code == 0 and "still work" in changed.stderr


# -- the store ---------------------------------------------------------------------------


def test_tokens_are_stored_hashed(app_config, accounts, editor):
    issued = accounts.create_token(EDITOR[0], "script")
    assert issued.token not in repr(issued)
    raw = open(app_config["ACCOUNTS"], "rb").read()
    assert issued.token.encode() not in raw
    assert issued.token.split("_", 1)[1].encode() not in raw
    with sqlite3.connect(app_config["ACCOUNTS"]) as con:
        (stored,) = con.execute("SELECT token_hash FROM api_tokens").fetchone()
    assert stored == token_digest(issued.token) and len(stored) == 64
    listed = accounts.list_tokens(EDITOR[0])
    assert [t.id for t in listed] == [issued.id]
    assert "token_hash" not in vars(listed[0]) and stored not in repr(listed[0])


def test_authenticate_marks_the_token_used_at_most_once_a_minute(app_config, accounts, editor):
    issued = accounts.create_token(EDITOR[0])
    assert accounts.list_tokens(EDITOR[0])[0].last_used_at is None
    assert accounts.authenticate_token(issued.token).username == EDITOR[0]
    assert accounts.list_tokens(EDITOR[0])[0].last_used_at is not None

    def used(seconds_ago: int) -> str:
        stamp = (datetime.now(UTC) - timedelta(seconds=seconds_ago)).isoformat(timespec="seconds")
        with sqlite3.connect(app_config["ACCOUNTS"]) as con:
            con.execute("UPDATE api_tokens SET last_used_at = ?", (stamp,))
        return stamp

    recent = used(30)
    assert accounts.authenticate_token(issued.token) is not None
    assert accounts.list_tokens(EDITOR[0])[0].last_used_at == recent  # no write
    stale = used(120)
    assert accounts.authenticate_token(issued.token) is not None
    assert accounts.list_tokens(EDITOR[0])[0].last_used_at > stale


def test_revoked_unknown_and_malformed_tokens_fail(accounts, editor):
    issued = accounts.create_token(EDITOR[0])
    assert accounts.authenticate_token(issued.token + "x") is None
    assert accounts.authenticate_token(issued.token[len(TOKEN_PREFIX) :]) is None
    assert accounts.authenticate_token(TOKEN_PREFIX + "x" * 500) is None
    assert accounts.authenticate_token("") is None
    assert accounts.revoke_token(EDITOR[0], issued.id).revoked_at is not None
    assert accounts.authenticate_token(issued.token) is None


def test_a_disabled_users_tokens_stop_until_enabled(accounts, editor):
    issued = accounts.create_token(EDITOR[0])
    accounts.set_disabled(EDITOR[0])
    assert accounts.authenticate_token(issued.token) is None
    accounts.set_disabled(EDITOR[0], False)
    assert accounts.authenticate_token(issued.token) is not None


def test_a_new_password_leaves_tokens_alone(accounts, editor):
    issued = accounts.create_token(EDITOR[0])
    accounts.set_password(EDITOR[0], "un-altra-password-lunga")
    assert accounts.authenticate_token(issued.token).username == EDITOR[0]


def test_revoking_another_users_token_is_refused(accounts, editor):
    accounts.create("altro", "una-password-lunga-3", "admin")
    theirs = accounts.create_token("altro")
    with pytest.raises(TokenNotFound):
        accounts.revoke_token(EDITOR[0], theirs.id)
    assert accounts.authenticate_token(theirs.token) is not None
    assert accounts.revoke_tokens(EDITOR[0]) == 0
    with pytest.raises(UserNotFound):
        accounts.create_token("nessuno")
    with pytest.raises(AccountError, match="invalid label"):
        accounts.create_token(EDITOR[0], "x" * 101)


def test_an_old_database_gains_the_tokens_table(tmp_path):
    path = tmp_path / "old.sqlite"
    with sqlite3.connect(path) as con:  # the users table of an older release, no api_tokens
        con.execute(
            "CREATE TABLE users (id INTEGER PRIMARY KEY, username TEXT NOT NULL UNIQUE, "
            "password_hash TEXT NOT NULL, role TEXT NOT NULL, created_at TEXT NOT NULL, "
            "disabled INTEGER NOT NULL DEFAULT 0)"
        )
    store = AccountStore(path)
    store.create(*EDITOR, "editor")
    issued = store.create_token(EDITOR[0])
    assert store.authenticate_token(issued.token).username == EDITOR[0]
