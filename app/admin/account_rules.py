"""What an admin account is, and the rules it keeps (stored by `accounts.py`).

The roles and what each grants, the limits on usernames, passwords, token labels and
tokens; the `User`, `ApiToken` and `IssuedToken` the app sees (never a password hash or a
token's digest); the checks of a username, role, password and label, each refusing with an
`AccountError` that says why; and `token_digest`, what the database keeps of a token.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field

from app.errors import GeoportaleError

ROLES = ("moderator", "editor", "admin")
#: What each role may do: an editor edits layers, a moderator works the citizens'
#: contributions (app/contributions), an admin does both and manages users.
GRANTS = {
    "moderator": frozenset({"moderator"}),
    "editor": frozenset({"editor"}),
    "admin": frozenset(ROLES),
}
MIN_PASSWORD = 12
MAX_PASSWORD = 1024
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._@-]{0,63}$")
TOKEN_PREFIX = "gcp_"  # a fixed prefix: secret scanners and people spot a leaked token
TOKEN_BYTES = 32  # 256 bits from `secrets`
MAX_TOKEN = 200  # longer Authorization values are not ours: refused before any lookup
MAX_LABEL = 100
TOKEN_TOUCH_SECONDS = 60  # last_used_at moves at most this often: most uses write nothing


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


class TokenNotFound(AccountError):
    status = 404
    code = "token-not-found"
    title = "Token not found"


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
        """True if this user may do what `role` does (an admin may do everything)."""
        return role in GRANTS[self.role]


@dataclass(frozen=True)
class ApiToken:
    """A personal API token as listed (never the token nor its digest)."""

    id: int
    username: str
    label: str
    created_at: str
    last_used_at: str | None
    revoked_at: str | None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


@dataclass(frozen=True)
class IssuedToken:
    """A token just made: `token` is the only copy there will ever be (kept out of repr)."""

    id: int
    token: str = field(repr=False)


def token_digest(token: str) -> str:
    """What the database keeps of a token: its SHA-256, hex.

    A plain hash, not a slow password hash (scrypt): the token is 256 random bits, so
    there is nothing to guess and nothing for a slow hash to protect; a fast digest lets a
    token be looked up by its digest, without comparing secrets in Python at all.
    """
    return hashlib.sha256(token.encode()).hexdigest()


def check_label(label: str) -> str:
    label = label.strip()
    if len(label) > MAX_LABEL or not label.isprintable():
        raise AccountError(f"invalid label: at most {MAX_LABEL} printable characters")
    return label


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
