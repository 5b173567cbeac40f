"""The login rate limit and session revocation, against real worker processes.

    result = run_login(ws, parallel=100, workers=2)

Three checks, each with its figure:

- **race**: `parallel` sessions fetch the login form, then all post a wrong password at the
  same moment to a live server (gunicorn `workers` processes, or `flask run --with-threads`);
  the number of 401 answers is the number of passwords tested, which must not exceed
  MAX_FAILURES (before reservations it was 58-81 of 100 on `flask run`);
- **account**: `parallel` wrong passwords for one account, each from its own address
  (REMOTE_ADDR), at once through two app instances on the same user database (two workers):
  LOGIN_ACCOUNT_FAILURES are tested (plus one per backoff delay that elapsed during the
  attack: none is refused early, none too many), and then the user still gets in from the address
  they logged in from before;
- **revocation**: a session cookie copied before `POST /admin/logout` is refused afterwards,
  on every worker.
"""

from __future__ import annotations

import math
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

from scripts.reliability.common import Server, Workspace

USER, PASSWORD, WRONG = "sportello", "una-password-lunga-9", "sbagliata-sbagliata"
CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')
OFFICE = "192.0.2.10"  # the address the user logged in from before the attack


@dataclass
class LoginResult:
    server: str = ""
    parallel: int = 0
    race_statuses: dict = field(default_factory=dict)
    race_limit: int = 0
    account_tested: int = 0
    account_limit: int = 0  # LOGIN_ACCOUNT_FAILURES
    account_seconds: float = 0.0  # how long the parallel attack took
    office_status: int = 0
    replay_status: int = 0
    replay_location: str = ""
    errors: list[str] = field(default_factory=list)

    @property
    def race_tested(self) -> int:
        return self.race_statuses.get(401, 0)

    @property
    def account_allowed(self) -> int:
        """The most passwords the per-account cap lets through in `account_seconds`: the
        free ones, then one per elapsed delay of 1, 2, 4, ... seconds."""
        return self.account_limit + int(math.log2(self.account_seconds + 1))

    @property
    def ok(self) -> bool:
        return (
            not self.errors
            and sum(self.race_statuses.values()) == self.parallel
            and set(self.race_statuses) <= {401, 429}
            and 0 < self.race_tested <= self.race_limit
            and self.account_limit <= self.account_tested <= self.account_allowed
            and self.office_status == 302
            and self.replay_status == 302
            and "/admin/login" in self.replay_location
        )

    def lines(self) -> list[str]:
        return [
            f"{self.parallel} parallel logins on {self.server}: {self.race_tested} passwords "
            f"tested (limit {self.race_limit}), answers {dict(sorted(self.race_statuses.items()))}",
            f"{self.parallel} parallel logins for one account from {self.parallel} addresses "
            f"via 2 app instances in {self.account_seconds:.1f} s: {self.account_tested} "
            f"passwords tested (allowed {self.account_limit} free + {self.account_allowed - self.account_limit} "
            f"after delays); right password from the user's usual address: {self.office_status}",
            f"session cookie replayed after logout: {self.replay_status} "
            f"-> {self.replay_location or '(no redirect)'}",
            *self.errors,
        ]


def _at_once(n: int, one: Callable[[int, threading.Barrier], int]) -> dict[int, int]:
    """Run `one(i, barrier)` in `n` threads; a count of the statuses they return."""
    barrier = threading.Barrier(n)
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def run(i: int) -> None:
        try:
            status = one(i, barrier)
        except Exception as exc:  # a failed request is a figure, not a crash of the check
            barrier.abort()
            status = f"{type(exc).__name__}: {exc}"[:120]
        with lock:
            statuses[status] = statuses.get(status, 0) + 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return statuses


def _race(url: str, n: int) -> dict:
    import requests

    def one(_i: int, barrier: threading.Barrier) -> int:
        with requests.Session() as s:
            token = CSRF.search(s.get(url + "/admin/login", timeout=60).text)[1]
            barrier.wait(120)
            data = {"username": USER, "password": WRONG, "csrf_token": token}
            r = s.post(url + "/admin/login", data=data, allow_redirects=False, timeout=300)
            return r.status_code

    return _at_once(n, one)


def _replay_after_logout(url: str) -> tuple[int, str]:
    """Log in, copy the cookie, log out, send the copy: (status, Location)."""
    import requests

    with requests.Session() as s:
        token = CSRF.search(s.get(url + "/admin/login", timeout=60).text)[1]
        data = {"username": USER, "password": PASSWORD, "csrf_token": token}
        r = s.post(url + "/admin/login", data=data, allow_redirects=False, timeout=60)
        if r.status_code != 302:
            raise RuntimeError(f"login answered {r.status_code}")
        copied = dict(s.cookies)
        token = CSRF.search(s.get(url + "/admin/", timeout=60).text)[1]
        s.post(url + "/admin/logout", data={"csrf_token": token}, timeout=60)
    replays = [
        requests.get(url + "/admin/", cookies=copied, allow_redirects=False, timeout=60)
        for _ in range(4)  # several requests, so more than one worker answers
    ]
    worst = max(replays, key=lambda r: r.status_code == 200)
    return worst.status_code, worst.headers.get("Location", "")


def _account(ws: Workspace, n: int) -> tuple[int, int, float, int]:
    """(passwords tested, the free allowance, seconds the attack took, status of the user's
    own login afterwards)."""
    from app import create_app

    settings = {**ws.settings(), "INSECURE_COOKIES": True}
    apps = [create_app(settings) for _ in range(2)]  # two workers on one user database
    limit = apps[0].config["GEOPORTALE"]["LOGIN_ACCOUNT_FAILURES"]

    def login(app, address: str, password: str, barrier=None) -> int:
        client = app.test_client()
        token = CSRF.search(client.get("/admin/login").get_data(as_text=True))[1]
        if barrier is not None:
            barrier.wait(120)
        data = {"username": USER, "password": password, "csrf_token": token}
        r = client.post("/admin/login", data=data, environ_base={"REMOTE_ADDR": address})
        return r.status_code

    if login(apps[0], OFFICE, PASSWORD) != 302:
        raise RuntimeError("the user could not log in before the attack")
    started = time.monotonic()
    statuses = _at_once(n, lambda i, b: login(apps[i % 2], f"10.9.{i // 250}.{i % 250}", WRONG, b))
    seconds = time.monotonic() - started
    return statuses.get(401, 0), limit, seconds, login(apps[1], OFFICE, PASSWORD)


def run_login(ws: Workspace, parallel: int = 100, workers: int = 2) -> LoginResult:
    """The three checks on a fresh user database in `ws`."""
    from app.admin.accounts import AccountStore
    from app.admin.limiter import MAX_FAILURES

    result = LoginResult(parallel=parallel, race_limit=MAX_FAILURES)
    AccountStore(ws.root / "accounts.sqlite").create(USER, PASSWORD, "editor")
    try:
        with Server(ws, workers=workers, env={"GEOPORTALE_INSECURE_COOKIES": "true"}) as server:
            result.server = server.kind
            result.replay_status, result.replay_location = _replay_after_logout(server.url)
            result.race_statuses = _race(server.url, parallel)
            if server.tracebacks():
                result.errors.append(f"{server.tracebacks()} tracebacks in the server log")
        # A new user database: the race above already used up this address's attempts.
        (ws.root / "accounts.sqlite").unlink()
        AccountStore(ws.root / "accounts.sqlite").create(USER, PASSWORD, "editor")
        account = _account(ws, parallel)
        (
            result.account_tested,
            result.account_limit,
            result.account_seconds,
            result.office_status,
        ) = account
    except Exception as exc:  # reported as a failed check with its reason
        result.errors.append(f"{type(exc).__name__}: {exc}")
    return result
