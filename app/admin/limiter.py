"""The login rate limit: every attempt is reserved before its password is tested.

Two limits, both kept in the accounts database (so every worker process shares them):

- **per username and address**: MAX_FAILURES failed attempts within WINDOW_SECONDS give 429
  to that address for that username until the oldest ages out (a hard stop, but only for
  one address);
- **per account, over every address**: after `account_failures` failed attempts within
  ACCOUNT_WINDOW_SECONDS, each further attempt must wait 1, 2, 4, ... seconds after the
  account's latest one, at most `account_max_delay`. Guessing from many addresses slows to
  one password per `account_max_delay`, yet the account is never locked: someone who waits
  the delay out gets their password tested. An address the user logged in from within
  `trusted_days` skips this delay (still under the per-address limit), so a stranger's
  guessing cannot keep the office out.

`reserve` checks both limits and records the attempt in one SQLite `BEGIN IMMEDIATE`
transaction, before the password is tested: parallel requests queue on the write lock, so
no more attempts pass than the limits allow. The reservation counts as a failure unless
`succeeded` removes it (a worker that dies mid-check leaves it counted: the safe side).
Unknown usernames are counted exactly like real ones, so the limit reveals no account.

Bad API tokens are counted in the same table, per address only, under TOKEN_NAME: after
MAX_FAILURES bad tokens within WINDOW_SECONDS an address gets 429 for every bearer request
until the oldest ages out. A token is 256 random bits and checking one is a single indexed
read (no scrypt), so this is not what keeps tokens unguessable; it bounds what a flood of
made-up tokens writes (MAX_FAILURES rows per address per window: a refused request writes
nothing) and puts the flood in the log. No per-account part (a token names no account),
and a good token does not clear the count (it would let a guesser reset it).
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from app.admin.account_rules import normalise_username
from app.admin.accounts import AccountStore

MAX_FAILURES = 5
WINDOW_SECONDS = 15 * 60
ACCOUNT_WINDOW_SECONDS = 24 * 3600
MAX_EXPONENT = 30  # 2**30 s is far beyond any sane cap; keeps the arithmetic small
#: The name bad API tokens are counted under: no username can be it (`<` is not allowed),
#: so token failures never count against an account.
TOKEN_NAME = "<api-token>"


@dataclass(frozen=True)
class LoginPolicy:
    """The per-account part of the limit (settings LOGIN_ACCOUNT_*, LOGIN_TRUSTED_DAYS)."""

    account_failures: int = 10
    account_max_delay: float = 900
    trusted_days: float = 30


@dataclass(frozen=True)
class Attempt:
    """A reserved login attempt: the row that records it, who and from where."""

    id: int
    username: str
    address: str


@dataclass(frozen=True)
class Refusal:
    """Why an attempt was refused untested, and how long to wait (whole seconds, >= 1)."""

    scope: str  # "address" (per username and address) or "account" (over every address)
    retry_after: int


def _seconds(wait: float) -> int:
    return max(1, math.ceil(wait))


def account_delay(failures: int, policy: LoginPolicy) -> float:
    """Seconds an untrusted address waits after the account's latest attempt (0: none)."""
    if failures < policy.account_failures:
        return 0.0
    exponent = min(failures - policy.account_failures, MAX_EXPONENT)
    return float(min(2**exponent, policy.account_max_delay))


class LoginLimiter:
    """Reserve, then settle, login attempts in the accounts database."""

    def __init__(self, store: AccountStore, policy: LoginPolicy | None = None):
        self.store = store
        self.policy = policy or LoginPolicy()

    def reserve(self, username: str, address: str) -> Attempt | Refusal:
        """Record an attempt for `username` from `address`, or say why it must wait.

        The checks and the insert run under SQLite's write lock, so concurrent callers (in
        threads or processes) see each other's reservations.
        """
        name = normalise_username(username)[:128]
        address = address or ""
        with self.store.immediate() as con:
            # Read the clock under the lock: a time taken before waiting for it would be older
            # than the reservations made meanwhile, and they would look like the future.
            now = time.time()
            con.execute(
                "DELETE FROM login_attempts WHERE at < ?",
                (now - max(WINDOW_SECONDS, ACCOUNT_WINDOW_SECONDS),),
            )
            recent = [
                r["at"]
                for r in con.execute(
                    "SELECT at FROM login_attempts WHERE username = ? AND address = ? "
                    "AND at >= ? ORDER BY at",
                    (name, address, now - WINDOW_SECONDS),
                )
            ]
            if len(recent) >= MAX_FAILURES:
                return Refusal("address", _seconds(recent[-MAX_FAILURES] + WINDOW_SECONDS - now))
            if not self._trusted(con, name, address, now):
                count, latest = con.execute(
                    "SELECT COUNT(*), MAX(at) FROM login_attempts WHERE username = ? AND at >= ?",
                    (name, now - ACCOUNT_WINDOW_SECONDS),
                ).fetchone()
                delay = account_delay(count, self.policy)
                if delay and latest + delay > now:
                    return Refusal("account", _seconds(latest + delay - now))
            cursor = con.execute(
                "INSERT INTO login_attempts (username, address, at) VALUES (?, ?, ?)",
                (name, address, now),
            )
            return Attempt(cursor.lastrowid, name, address)

    def _trusted(self, con, name: str, address: str, now: float) -> bool:
        if self.policy.trusted_days <= 0:
            return False
        row = con.execute(
            "SELECT 1 FROM login_trusted WHERE username = ? AND address = ? AND at >= ?",
            (name, address, now - self.policy.trusted_days * 86400),
        ).fetchone()
        return row is not None

    def succeeded(self, attempt: Attempt) -> None:
        """The password was right: forget this address's failures for the user and trust
        the address. The account's failures elsewhere still count (a guesser elsewhere
        stays slowed down)."""
        with self.store.immediate() as con:
            now = time.time()
            con.execute(
                "DELETE FROM login_attempts WHERE username = ? AND address = ?",
                (attempt.username, attempt.address),
            )
            con.execute(
                "INSERT INTO login_trusted (username, address, at) VALUES (?, ?, ?) "
                "ON CONFLICT (username, address) DO UPDATE SET at = excluded.at",
                (attempt.username, attempt.address, now),
            )
            con.execute(
                "DELETE FROM login_trusted WHERE at < ?",
                (now - self.policy.trusted_days * 86400,),
            )

    # -- API tokens --------------------------------------------------------------------

    def token_refusal(self, address: str) -> Refusal | None:
        """Why bearer requests from `address` must wait, or None (a read: writes nothing)."""
        now = time.time()
        with self.store._db() as con:
            recent = [
                r["at"]
                for r in con.execute(
                    "SELECT at FROM login_attempts WHERE username = ? AND address = ? "
                    "AND at >= ? ORDER BY at",
                    (TOKEN_NAME, address or "", now - WINDOW_SECONDS),
                )
            ]
        if len(recent) < MAX_FAILURES:
            return None
        return Refusal("address", _seconds(recent[-MAX_FAILURES] + WINDOW_SECONDS - now))

    def token_failed(self, address: str) -> None:
        """Count a bad API token sent from `address`."""
        with self.store.immediate() as con:
            con.execute(
                "INSERT INTO login_attempts (username, address, at) VALUES (?, ?, ?)",
                (TOKEN_NAME, address or "", time.time()),
            )
