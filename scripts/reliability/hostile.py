"""The corpus of bad inputs through `flask layers import --publish` and the upload form.

A case is rejected cleanly when
- CLI: exit code 1 or 2, an `error:` or `NOT imported` line, no traceback;
- form: a 4xx page with the reason (`import-error` or the blocked report), no traceback and
  no internal path;
and, for both, the store's generation and audit log did not move. At the end, every served
layer must hold exactly the data it held before (data lost: 0) and the app must still serve.
"""

from __future__ import annotations

import io
import re
import tempfile
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

from scripts.reliability.common import REPO, Workspace, snapshot
from scripts.reliability.corpus import CANARY, LAYER_ID, Case, corpus

#: What must never appear in a response body (or CLI output): internals, server paths, and
#: the secret that the virtual-file uploads point at.
LEAKS = (
    "Traceback",
    'File "',
    str(REPO),
    "/usr/lib/python",
    "site-packages",
    "geoportale-upload-",
    "geoportale-import-",
    CANARY,
)
USER, PASSWORD = "collaudo", "una-password-lunga-9"


@dataclass
class HostileResult:
    channel: str
    tried: int = 0
    clean: int = 0
    failures: list[str] = field(default_factory=list)
    by_category: Counter = field(default_factory=Counter)
    lost: list[str] = field(default_factory=list)
    serving: bool = True

    @property
    def ok(self) -> bool:
        return self.clean == self.tried and not self.lost and self.serving

    def lines(self) -> list[str]:
        return [
            f"{self.channel}: {self.tried} inputs tried, {self.clean} rejected cleanly, "
            f"data lost: {len(self.lost)}, still serving: {self.serving}",
            *(f"  NOT clean: {f}" for f in self.failures[:25]),
        ]


def _app(ws: Workspace):
    from app import create_app

    return create_app({**ws.settings(), "INSECURE_COOKIES": True})


def _state(store) -> tuple[int, int]:
    return store.generation(), len(store.audit_log(None, 100000))


def _cli_args(case: Case, path: Path) -> list[str]:
    opts = case.options
    args = ["layers", "import", str(path), "--id", opts.get("layer_id", LAYER_ID), "--publish"]
    for key, flag in (("crs", "--crs"), ("layer", "--layer"), ("id_field", "--id-field")):
        if key in opts:
            args += [flag, opts[key]]
    if "rename" in opts:
        args += ["--rename", opts["rename"]]
    return args


def run_cli(ws: Workspace, cases: list[Case]) -> HostileResult:
    """Each case through `flask layers import` (Click's runner, in this process)."""
    app = _app(ws)
    runner = app.test_cli_runner(mix_stderr=False) if _mixes() else app.test_cli_runner()
    store = app.extensions["geoportale"].store
    return _run(
        "CLI (flask layers import --publish)", ws, cases, store, lambda c, p: _cli(runner, c, p)
    )


def _mixes() -> bool:
    import inspect

    from click.testing import CliRunner

    return "mix_stderr" in inspect.signature(CliRunner.__init__).parameters


def _cli(runner, case: Case, path: Path) -> str | None:
    result = runner.invoke(args=_cli_args(case, path))
    out = result.output + (getattr(result, "stderr", "") or "")
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        return f"crashed: {type(result.exception).__name__}: {str(result.exception)[:120]}"
    leak = next((x for x in LEAKS if x in out), None)
    if leak:
        return f"exit {result.exit_code} shows {leak!r}"
    if result.exit_code not in (1, 2):
        return f"exit {result.exit_code}"
    if "Traceback" in out or not ("error:" in out or "NOT imported" in out):
        return f"exit {result.exit_code} without a clear message: {out[-160:]!r}"
    return None


def login(client) -> str:
    """Log `client` in through the form; returns the session's CSRF token."""
    token = re.search(r'name="csrf-token" content="([^"]+)"', client.get("/admin/login").text)[1]
    data = {"username": USER, "password": PASSWORD, "csrf_token": token}
    assert client.post("/admin/login", data=data).status_code == 302
    return re.search(r'name="csrf-token" content="([^"]+)"', client.get("/admin/").text)[1]


def run_form(ws: Workspace, cases: list[Case]) -> HostileResult:
    """Each case through the upload form /admin/import, as a logged-in editor."""
    from app.admin.auth import ACCOUNTS_KEY

    app = _app(ws)
    accounts = app.extensions[ACCOUNTS_KEY]
    if USER not in {u.username for u in accounts.list()}:
        accounts.create(USER, PASSWORD, "editor")
    client = app.test_client()
    token = login(client)
    store = app.extensions["geoportale"].store
    return _run(
        "form (POST /admin/import, publish)",
        ws,
        cases,
        store,
        lambda c, p: _form(client, token, c),
        client=client,
    )


def _form(client, token: str, case: Case) -> str | None:
    opts = case.options
    data = {
        "csrf_token": token,
        "file": (io.BytesIO(case.data), case.filename),
        "layer_id": opts.get("layer_id", LAYER_ID),
        "crs_other": opts.get("crs", ""),
        "layer": opts.get("layer", ""),
        "id_field": opts.get("id_field", ""),
        "renames": opts.get("rename", ""),
        "publish": "1",
    }
    r = client.post("/admin/import", data=data, content_type="multipart/form-data")
    body = r.get_data(as_text=True)
    leak = next((x for x in LEAKS if x in body), None)
    if leak:
        return f"HTTP {r.status_code} shows {leak!r}"
    if not 400 <= r.status_code < 500:
        return f"HTTP {r.status_code}"
    if 'id="import-error"' not in body and 'id="report-blocked"' not in body:
        message = re.search(r"<main.*?</main>", body, re.S)
        if not message or len(re.sub(r"<[^>]+>|\s", "", message[0])) < 20:
            return f"HTTP {r.status_code} without a message"
    return None


def _run(channel, ws, cases, store, attempt, client=None) -> HostileResult:
    result = HostileResult(channel)
    before = snapshot(store)
    with tempfile.TemporaryDirectory(prefix="hostile-", dir=ws.root) as tmp:
        for k, case in enumerate(cases):
            path = Path(tmp) / str(k) / case.filename
            path.parent.mkdir()
            path.write_bytes(case.data)
            state = _state(store)
            try:
                problem = attempt(case, path)
            except Exception as exc:  # noqa: BLE001 (the point: nothing may escape)
                problem = f"escaped: {type(exc).__name__}: {str(exc)[:120]}"
            if problem is None and _state(store) != state:
                problem = "the store changed"
            result.tried += 1
            result.by_category[case.category] += 1
            if problem is None:
                result.clean += 1
            else:
                result.failures.append(f"[{case.category}] {case.name}: {problem}")
    after = snapshot(store)
    result.lost = before.lost(after)
    if client is None:
        from app import create_app

        client = create_app(ws.settings()).test_client()
    result.serving = all(client.get(p).status_code == 200 for p in ("/api/collections?f=json", "/"))
    return result


def run_hostile(ws: Workspace, work: Path) -> list[HostileResult]:
    cases = corpus(work)
    return [run_cli(ws, cases), run_form(ws, cases)]
