"""The login rate limit: one atomic reservation per attempt, per address and per account.

- per username and address: MAX_FAILURES failures in 15 minutes give 429 (a hard stop for
  that address only);
- per account, over every address: after LOGIN_ACCOUNT_FAILURES failures in a day, each
  further attempt waits a delay that doubles with every failure, capped at
  LOGIN_ACCOUNT_MAX_DELAY, so guessing from many addresses slows to a crawl but the account is
  never locked for good; an address the user logged in from lately skips that delay.
"""

from __future__ import annotations

import re
import threading
import time

import pytest
import requests

from tests.admin.conftest import EDITOR, page_csrf

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

WRONG = "sbagliata-sbagliata"
PER_ADDRESS = 5  # MAX_FAILURES, documented default
ACCOUNT_FAILURES = 10  # LOGIN_ACCOUNT_FAILURES, documented default
MAX_DELAY = 900  # LOGIN_ACCOUNT_MAX_DELAY, documented default


class Clock:
    """A stand-in for time.time() that moves only when the test says."""

    def __init__(self):
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch):
    """Freeze time.time() (the limiter reads it at each call) so delays are exact."""
    fake = Clock()
    monkeypatch.setattr(time, "time", fake)
    return fake


def attempt(app, address: str, username: str, password: str):
    """One login from `address` (REMOTE_ADDR), in a new browser session."""
    client = app.test_client()
    token = page_csrf(client)
    return client.post(
        "/admin/login",
        data={"username": username, "password": password, "csrf_token": token},
        environ_base={"REMOTE_ADDR": address},
    )


@pytest.fixture
def race_env(tmp_path):
    """Settings for the live server: its own user database, cookies over plain http."""
    from app.admin.accounts import AccountStore

    path = tmp_path / "race-accounts.sqlite"
    (tmp_path / "env").write_text(f"GEOPORTALE_ACCOUNTS={path}\nGEOPORTALE_INSECURE_COOKIES=true\n")
    store = AccountStore(path)
    store.create(*EDITOR, "editor")
    return store


def _parallel_logins(url: str, n: int, password: str) -> list[int]:
    """`n` sessions each fetch the form, then all post at the same moment; their statuses."""
    barrier = threading.Barrier(n)
    statuses: list[int] = []
    lock = threading.Lock()

    def one():
        with requests.Session() as s:
            form = s.get(url + "/admin/login", timeout=60).text
            token = re.search(r'name="csrf-token" content="([^"]+)"', form)[1]
            barrier.wait()
            r = s.post(
                url + "/admin/login",
                data={"username": EDITOR[0], "password": password, "csrf_token": token},
                allow_redirects=False,
                timeout=120,
            )
        with lock:
            statuses.append(r.status_code)

    threads = [threading.Thread(target=one) for _ in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def test_parallel_logins_test_at_most_max_failures_passwords(race_env, live_server):
    statuses = _parallel_logins(live_server, 100, WRONG)
    assert len(statuses) == 100
    tested = statuses.count(401)  # a 401 is a password checked and found wrong
    assert set(statuses) <= {401, 429}
    assert tested == PER_ADDRESS, f"{tested} passwords tested"


def test_account_cap_holds_across_addresses(app, accounts, clock):
    accounts.create(*EDITOR, "editor")
    for i in range(ACCOUNT_FAILURES):  # one guess from each of many addresses
        assert attempt(app, f"10.1.0.{i}", EDITOR[0], WRONG).status_code == 401
    refused = attempt(app, "10.1.1.1", EDITOR[0], WRONG)  # a fresh address: still waits
    assert refused.status_code == 429
    assert "Troppi tentativi" in refused.get_data(as_text=True)
    assert int(refused.headers["Retry-After"]) == 1
    # During the delay even the right password is not tested.
    assert attempt(app, "10.1.1.2", *EDITOR).status_code == 429


def test_account_delay_doubles_is_capped_and_ends(app, accounts, clock):
    accounts.create(*EDITOR, "editor")
    for i in range(ACCOUNT_FAILURES):
        attempt(app, f"10.2.0.{i}", EDITOR[0], WRONG)
    delays = []
    for i in range(14):
        refused = attempt(app, f"10.2.1.{i}", EDITOR[0], WRONG)
        assert refused.status_code == 429
        delays.append(int(refused.headers["Retry-After"]))
        clock.now += delays[-1]
        assert attempt(app, f"10.2.2.{i}", EDITOR[0], WRONG).status_code == 401
    assert delays[:5] == [1, 2, 4, 8, 16]
    assert max(delays) == MAX_DELAY and delays[-1] == MAX_DELAY
    # Not a lockout: after the longest delay the right password gets in from anywhere.
    assert attempt(app, "10.2.3.1", *EDITOR).status_code == 429
    clock.now += MAX_DELAY
    assert attempt(app, "10.2.3.1", *EDITOR).status_code == 302


def test_known_address_skips_the_account_delay(app, accounts, clock):
    """The office's address (a recent good login) is not held up by guesses from elsewhere."""
    accounts.create(*EDITOR, "editor")
    assert attempt(app, "192.0.2.10", *EDITOR).status_code == 302
    for i in range(ACCOUNT_FAILURES + 3):
        clock.now += 3600
        attempt(app, f"10.3.0.{i}", EDITOR[0], WRONG)
    assert attempt(app, "10.3.1.1", *EDITOR).status_code == 429  # a stranger waits
    assert attempt(app, "192.0.2.10", *EDITOR).status_code == 302  # the office does not


def test_unknown_usernames_are_limited_alike(app, accounts, clock):
    """The limit does not tell a real account from a made-up one."""
    accounts.create(*EDITOR, "editor")
    for name in (EDITOR[0], "nessuno"):
        for i in range(ACCOUNT_FAILURES):
            assert attempt(app, f"10.4.0.{i}", name, WRONG).status_code == 401
        refused = attempt(app, "10.4.1.1", name, WRONG)
        assert refused.status_code == 429 and refused.headers["Retry-After"] == "1"


def test_parallel_reservations_from_many_addresses_get_exactly_the_allowance(accounts, monkeypatch):
    """Reservations queue on the write lock; none is refused before the account's allowance
    is used up, none passes after it. The clock steps 1 ms per reading, so the 50 attempts
    span well under the first 1-second delay however slow the machine is."""
    from app.admin.limiter import Attempt, LoginLimiter

    start, readings = time.time(), iter(range(10**6))
    lock = threading.Lock()

    def stepping_clock() -> float:
        with lock:
            return start + next(readings) / 1000

    monkeypatch.setattr(time, "time", stepping_clock)
    limiter = LoginLimiter(accounts)
    barrier = threading.Barrier(50)
    outcomes = []

    def one(i):
        barrier.wait()
        outcomes.append(limiter.reserve(EDITOR[0], f"10.5.0.{i}"))

    threads = [threading.Thread(target=one, args=(i,)) for i in range(50)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(outcomes) == 50
    assert sum(isinstance(o, Attempt) for o in outcomes) == ACCOUNT_FAILURES
