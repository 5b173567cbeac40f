"""The admin users: a small SQLite database (stdlib `sqlite3`), created at first use.

Passwords are stored only as werkzeug hashes (scrypt). The same database keeps each user's
session generation (sessions of an older generation are refused) and the recent login
attempts (`limiter.py`), so both hold across worker processes and restarts.

Programs authenticate with personal API tokens (`api_tokens`): random, shown once when made,
stored only as their SHA-256 digest. A token works while it is not revoked and its user is
enabled: disabling the user stops every token of theirs (enabling brings them back), a new
password leaves them alone (they are not sessions), and revoking is explicit
(`revoke_token`, `revoke_tokens`).

This module holds the database (`AccountStore`); the roles, limits, checks and the types it
returns are in `account_rules.py`.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from app.admin.account_rules import (
    MAX_TOKEN,
    TOKEN_BYTES,
    TOKEN_PREFIX,
    TOKEN_TOUCH_SECONDS,
    AccountError,
    ApiToken,
    IssuedToken,
    TokenNotFound,
    User,
    UserExists,
    UserNotFound,
    check_label,
    check_password,
    check_role,
    check_username,
    normalise_username,
    token_digest,
)

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('moderator', 'editor', 'admin')),
    created_at TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    session_gen INTEGER NOT NULL DEFAULT 0
);
CREATE TABLE IF NOT EXISTS login_attempts (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX IF NOT EXISTS login_attempts_address ON login_attempts (username, address, at);
CREATE INDEX IF NOT EXISTS login_attempts_at ON login_attempts (at);
CREATE TABLE IF NOT EXISTS login_trusted (
    username TEXT NOT NULL,
    address TEXT NOT NULL,
    at REAL NOT NULL,
    PRIMARY KEY (username, address)
);
CREATE TABLE IF NOT EXISTS api_tokens (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users (id),
    label TEXT NOT NULL DEFAULT '',
    token_hash TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL,
    last_used_at TEXT,
    revoked_at TEXT
);
CREATE INDEX IF NOT EXISTS api_tokens_user ON api_tokens (user_id);
"""


def _migrate(con: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to SCHEMA (under the write lock).

    New tables (login_trusted, api_tokens) need nothing here: SCHEMA creates what is missing.
    """
    columns = {row["name"] for row in con.execute("PRAGMA table_info(users)")}
    if "session_gen" not in columns:
        con.execute("ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0")
    # Replaced by login_attempts; its rows were at most 15 minutes of failures.
    con.execute("DROP TABLE IF EXISTS login_failures")
    made = con.execute("SELECT sql FROM sqlite_master WHERE name = 'users'").fetchone()[0]
    if "'moderator'" not in made:  # made before the moderator role: widen its CHECK
        # SQLite cannot alter a CHECK: a new table, the rows copied, then renamed (the
        # api_tokens' reference names `users`, so it finds the new table).
        wider = made.replace("'editor', 'admin'", "'moderator', 'editor', 'admin'")
        con.execute(wider.replace("users", "users_new", 1))
        con.execute("INSERT INTO users_new SELECT * FROM users")
        con.execute("DROP TABLE users")
        con.execute("ALTER TABLE users_new RENAME TO users")


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds")


@cache
def _dummy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return generate_password_hash(os.urandom(16).hex())


def _stamp(password_hash: str) -> str:
    return hashlib.sha256(password_hash.encode()).hexdigest()[:16]


def _user(row: sqlite3.Row) -> User:
    return User(
        id=row["id"],
        username=row["username"],
        role=row["role"],
        created_at=row["created_at"],
        disabled=bool(row["disabled"]),
        stamp=_stamp(row["password_hash"]),
        session_gen=row["session_gen"],
    )


class AccountStore:
    """Users and failed logins in one SQLite file; a connection per operation (thread-safe)."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self._ready = False

    def _connect(self) -> sqlite3.Connection:
        """A connection; the file (mode 0600), tables and migrations made on first use."""
        if not self._ready:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            os.close(os.open(self.path, os.O_WRONLY | os.O_CREAT, 0o600))
        con = sqlite3.connect(self.path, timeout=30)
        con.row_factory = sqlite3.Row
        if not self._ready:
            try:
                con.executescript(SCHEMA)
                with self._locked(con):  # two workers starting at once migrate once
                    _migrate(con)
            except BaseException:
                con.close()
                raise
            self._ready = True
        return con

    @contextmanager
    def _db(self) -> Iterator[sqlite3.Connection]:
        """A connection in a transaction (committed on success, rolled back on error)."""
        con = self._connect()
        try:
            with con:
                yield con
        finally:
            con.close()

    @staticmethod
    @contextmanager
    def _locked(con: sqlite3.Connection) -> Iterator[sqlite3.Connection]:
        """`con` in a BEGIN IMMEDIATE transaction: SQLite's write lock taken before the first
        read, so what is read and what is written from it are one step for every thread and
        every process on this file."""
        con.isolation_level = None  # we issue BEGIN/COMMIT ourselves
        con.execute("BEGIN IMMEDIATE")
        try:
            yield con
        except BaseException:
            if con.in_transaction:  # SQLite may have rolled back already (e.g. disk full)
                con.execute("ROLLBACK")
            raise
        con.execute("COMMIT")

    @contextmanager
    def immediate(self) -> Iterator[sqlite3.Connection]:
        """A connection holding the database's write lock for the whole block (see _locked)."""
        con = self._connect()
        try:
            with self._locked(con):
                yield con
        finally:
            con.close()

    # -- users -------------------------------------------------------------------------

    def create(self, username: str, password: str, role: str) -> User:
        """A new user; AccountError on a bad name, role or password, UserExists if taken."""
        username = check_username(username)
        check_role(role)
        check_password(password, username)
        now = _now()
        with self._db() as con:
            try:
                con.execute(
                    "INSERT INTO users (username, password_hash, role, created_at) "
                    "VALUES (?, ?, ?, ?)",
                    (username, generate_password_hash(password), role, now),
                )
            except sqlite3.IntegrityError:
                raise UserExists(f"user {username!r} already exists") from None
        return self.get(username)

    def get(self, username: str) -> User:
        """A user by name (disabled too); UserNotFound otherwise."""
        user = self.find(username)
        if user is None:
            raise UserNotFound(f"no user {normalise_username(username)!r}")
        return user

    def find(self, username: str) -> User | None:
        with self._db() as con:
            row = con.execute(
                "SELECT * FROM users WHERE username = ?", (normalise_username(username),)
            ).fetchone()
        return _user(row) if row else None

    def by_id(self, user_id: int) -> User | None:
        with self._db() as con:
            row = con.execute("SELECT * FROM users WHERE id = ?", (user_id,)).fetchone()
        return _user(row) if row else None

    def list(self) -> list[User]:
        with self._db() as con:
            rows = con.execute("SELECT * FROM users ORDER BY username").fetchall()
        return [_user(r) for r in rows]

    def set_password(self, username: str, password: str) -> User:
        """Replace the password (sessions opened with the old one end)."""
        user = self.get(username)
        check_password(password, user.username)
        with self._db() as con:
            con.execute(
                "UPDATE users SET password_hash = ?, session_gen = session_gen + 1 WHERE id = ?",
                (generate_password_hash(password), user.id),
            )
        return self.get(username)

    def set_disabled(self, username: str, disabled: bool = True) -> User:
        """Disable (or enable again) a user; their sessions end at once, and stay ended when
        the user is enabled again."""
        user = self.get(username)
        with self._db() as con:
            con.execute(
                "UPDATE users SET disabled = ?, session_gen = session_gen + 1 WHERE id = ?",
                (int(disabled), user.id),
            )
        return self.get(username)

    def end_sessions(self, user_id: int) -> None:
        """End every session of this user (each carries the generation it was opened with)."""
        with self._db() as con:
            con.execute("UPDATE users SET session_gen = session_gen + 1 WHERE id = ?", (user_id,))

    def authenticate(self, username: str, password: str) -> User | None:
        """The enabled user with this password, else None (in about the same time)."""
        with self._db() as con:
            row = con.execute(
                "SELECT * FROM users WHERE username = ?", (normalise_username(username),)
            ).fetchone()
        if row is None:
            check_password_hash(_dummy_hash(), password)
            return None
        if not check_password_hash(row["password_hash"], password) or row["disabled"]:
            return None
        return _user(row)

    # -- API tokens --------------------------------------------------------------------

    def create_token(self, username: str, label: str = "") -> IssuedToken:
        """A new token for an enabled user: the raw token is returned here and only here."""
        user = self.get(username)
        label = check_label(label)
        if user.disabled:
            raise AccountError(f"user {user.username!r} is disabled: enable it first")
        token = TOKEN_PREFIX + secrets.token_urlsafe(TOKEN_BYTES)
        with self._db() as con:
            cursor = con.execute(
                "INSERT INTO api_tokens (user_id, label, token_hash, created_at) "
                "VALUES (?, ?, ?, ?)",
                (user.id, label, token_digest(token), _now()),
            )
        return IssuedToken(cursor.lastrowid, token)

    def list_tokens(self, username: str) -> list[ApiToken]:
        """Every token of the user, revoked ones too, oldest first."""
        user = self.get(username)
        with self._db() as con:
            rows = con.execute(
                "SELECT id, label, created_at, last_used_at, revoked_at FROM api_tokens "
                "WHERE user_id = ? ORDER BY id",
                (user.id,),
            ).fetchall()
        return [ApiToken(username=user.username, **dict(r)) for r in rows]

    def revoke_token(self, username: str, token_id: int) -> ApiToken:
        """Revoke one token of the user (a revoked one keeps its first revocation time);
        TokenNotFound if the user has no token with this id."""
        user = self.get(username)
        with self._db() as con:
            done = con.execute(
                "UPDATE api_tokens SET revoked_at = COALESCE(revoked_at, ?) "
                "WHERE id = ? AND user_id = ?",
                (_now(), token_id, user.id),
            )
        if done.rowcount == 0:
            raise TokenNotFound(f"user {user.username!r} has no token {token_id}")
        return next(t for t in self.list_tokens(username) if t.id == token_id)

    def revoke_tokens(self, username: str) -> int:
        """Revoke every active token of the user; how many were active."""
        user = self.get(username)
        with self._db() as con:
            done = con.execute(
                "UPDATE api_tokens SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
                (_now(), user.id),
            )
        return done.rowcount

    def authenticate_token(self, token: str) -> User | None:
        """The user of an active token, else None (unknown, revoked, or user disabled).

        Looked up by digest (an indexed equality on a hash: nothing about the secret leaks
        through timing). Marks the token used, at most once a TOKEN_TOUCH_SECONDS.
        """
        if not token.startswith(TOKEN_PREFIX) or len(token) > MAX_TOKEN:
            return None
        with self._db() as con:
            row = con.execute(
                "SELECT t.id AS token_id, t.revoked_at, t.last_used_at, u.* "
                "FROM api_tokens t JOIN users u ON u.id = t.user_id WHERE t.token_hash = ?",
                (token_digest(token),),
            ).fetchone()
        if row is None or row["revoked_at"] is not None or row["disabled"]:
            return None
        now = datetime.now(UTC)
        stale = (now - timedelta(seconds=TOKEN_TOUCH_SECONDS)).isoformat(timespec="seconds")
        if row["last_used_at"] is None or row["last_used_at"] < stale:
            with self._db() as con:
                con.execute(
                    "UPDATE api_tokens SET last_used_at = ? WHERE id = ?",
                    (now.isoformat(timespec="seconds"), row["token_id"]),
                )
        return _user(row)
