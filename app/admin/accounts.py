"""The admin users: a small SQLite database (stdlib `sqlite3`), created at first use.

Passwords are stored only as werkzeug hashes (scrypt). The same database keeps each user's
session generation (sessions of an older generation are refused) and the recent login
attempts (`limiter.py`), so both hold across worker processes and restarts.
"""

from __future__ import annotations

import hashlib
import os
import re
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

from werkzeug.security import check_password_hash, generate_password_hash

from app.errors import GeoportaleError

ROLES = ("editor", "admin")  # each role can do everything the roles before it can
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")

SCHEMA = """
CREATE TABLE IF NOT EXISTS users (
    id INTEGER PRIMARY KEY,
    username TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    role TEXT NOT NULL CHECK (role IN ('editor', 'admin')),
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
"""


def _migrate(con: sqlite3.Connection) -> None:
    """Bring a database made by an older version up to SCHEMA (under the write lock)."""
    columns = {row["name"] for row in con.execute("PRAGMA table_info(users)")}
    if "session_gen" not in columns:
        con.execute("ALTER TABLE users ADD COLUMN session_gen INTEGER NOT NULL DEFAULT 0")
    # Replaced by login_attempts; its rows were at most 15 minutes of failures.
    con.execute("DROP TABLE IF EXISTS login_failures")


class AccountError(GeoportaleError):
    """A user cannot be created or changed as asked; the message says why."""

    status = 400
    code = "invalid-account"
    title = "Invalid account"


class UserExists(AccountError):
    status = 409
    code = "user-exists"
    title = "User exists"


class UserNotFound(AccountError):
    status = 404
    code = "user-not-found"
    title = "User not found"


@dataclass(frozen=True)
class User:
    """An admin user as the app sees it (never with the password hash)."""

    id: int
    username: str
    role: str
    created_at: str
    disabled: bool
    stamp: str  # changes when the password changes: sessions made before are void
    session_gen: int = 0  # moves on logout, disable, enable, password change: ends sessions

    def has_role(self, role: str) -> bool:
        """True if this user's role is `role` or above it."""
        return ROLES.index(self.role) >= ROLES.index(role)


def normalise_username(name: str) -> str:
    """Usernames are case-insensitive: stored and compared in lower case."""
    return name.strip().lower()


def check_username(name: str) -> str:
    name = normalise_username(name)
    if not USERNAME.match(name):
        raise AccountError(
            f"invalid username {name!r}: 1-64 letters, digits, '.', '_', '-', '@', "
            "starting with a letter or digit"
        )
    return name


def check_role(role: str) -> str:
    if role not in ROLES:
        raise AccountError(f"unknown role {role!r}: expected one of {', '.join(ROLES)}")
    return role


def check_password(password: str, username: str) -> str:
    """Refuse passwords shorter than MIN_PASSWORD, absurdly long, or equal to the username."""
    if len(password) < MIN_PASSWORD:
        raise AccountError(f"password too short: at least {MIN_PASSWORD} characters")
    if len(password) > MAX_PASSWORD:
        raise AccountError(f"password too long: at most {MAX_PASSWORD} characters")
    if password.strip().lower() == username:
        raise AccountError("the password must not be the username")
    return password


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
        now = datetime.now(UTC).isoformat(timespec="seconds")
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
