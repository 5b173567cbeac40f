"""Crashes: kill -9 in the middle of an import (while the new table is written) and of a
publish (inside its transaction), then a restart.

After each crash the checks are: a restarted app serves the version served before, no store
file was moved aside, `PRAGMA integrity_check` is ok, every served layer has exactly the
data it had (nothing lost), and after the next write `orphan_tables()` is empty.
"""

from __future__ import annotations

import json
import queue
import random
import signal
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from scripts.reliability.common import (
    LAYER,
    REPO,
    Snapshot,
    Workspace,
    integrity,
    set_aside_files,
    snapshot,
    versioned_features,
)


@dataclass
class FaultCase:
    name: str
    ok: bool
    detail: str
    lost: list[str] = field(default_factory=list)


@dataclass
class FaultResult:
    cases: list[FaultCase] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(c.ok for c in self.cases)

    @property
    def lost(self) -> int:
        return sum(len(c.lost) for c in self.cases)

    def lines(self) -> list[str]:
        return [f"{'ok  ' if c.ok else 'FAIL'} {c.name}: {c.detail}" for c in self.cases]


# -- helpers ---------------------------------------------------------------------------


def state(ws: Workspace) -> Snapshot:
    """A snapshot through a fresh store object (a new process would see the same)."""
    store = ws.open_store()
    try:
        return snapshot(store)
    finally:
        store.close()


def big_file(path: Path, n: int) -> Path:
    """A GeoJSON of `n` features of `carico`'s schema (marker "X"): slow enough to kill."""
    if not path.exists():
        base = versioned_features("C")
        feats = []
        for i in range(n):
            f = json.loads(json.dumps(base[i % len(base)]))
            f["properties"].update(codice=i + 1, versione="X")
            feats.append(f)
        path.write_text(json.dumps({"type": "FeatureCollection", "features": feats}))
    return path


_PROBE = """
import json, sys
from app import create_app
settings, paths = json.loads(sys.argv[1]), json.loads(sys.argv[2])
client = create_app(settings).test_client()
out = []
for p in paths:
    r = client.get(p)
    out.append([r.status_code, r.get_data(as_text=True)[:4000]])
print("PROBE " + json.dumps(out))
"""


def probe(ws: Workspace, paths: list[str], **settings) -> tuple[list[tuple[int, str]], str]:
    """Start the app afresh in a new process (as a restart does), GET `paths`.

    Returns [(status, body)] and the process's stderr (where a traceback would show)."""
    proc = subprocess.run(
        [
            sys.executable,
            "-c",
            _PROBE,
            json.dumps({**ws.settings(), **settings}),
            json.dumps(paths),
        ],
        cwd=REPO,
        env=ws.env(),
        capture_output=True,
        text=True,
        timeout=180,
    )
    line = next((x for x in proc.stdout.splitlines() if x.startswith("PROBE ")), None)
    if line is None:
        return [(0, "the app did not start")] * len(paths), proc.stderr
    return [tuple(x) for x in json.loads(line[6:])], proc.stderr


def next_write(ws: Workspace) -> list[str]:
    """Stage a small draft of another layer (the next write); the orphan tables after it."""
    from app.publishing.importer import ImportOptions, import_file

    path = ws.root / "scratch.geojson"
    doc = {"type": "FeatureCollection", "features": versioned_features("A")[:3]}
    path.write_text(json.dumps(doc))
    store = ws.open_store()
    try:
        result = import_file(store, path, ImportOptions("scratch"), "reliability")
        assert result.ok, result.report.as_dict()
        return store.orphan_tables()
    finally:
        store.close()


def check_after_crash(
    ws: Workspace, before: Snapshot, name: str, extra: str = "", completed: bool = False
) -> FaultCase:
    """Restart, then check what every crash must leave behind (see the module docstring)."""
    served_version = before.served.get(LAYER, (None,))[0]
    responses, stderr = probe(ws, [f"/api/collections/{LAYER}?f=json"])
    status, body = responses[0]
    aside = set_aside_files(ws)
    problems = []
    if status != 200:
        problems.append(f"restart: HTTP {status} ({body[:160]})")
    if "Traceback" in stderr:
        problems.append("restart printed a traceback")
    if aside:
        problems.append(f"store moved aside and rebuilt: {aside}")
    check = integrity(ws)
    if not check.startswith("ok"):
        problems.append(f"integrity_check: {check[:200]}")
    after = state(ws)
    lost = before.lost(after)
    now = after.served.get(LAYER, (None,))[0]
    newest = max((v for v, _ in after.versions.get(LAYER, [])), default=None)
    if now != served_version and not (completed and now is not None and now == newest):
        problems.append(f"serves v{now} of {LAYER}, not v{served_version}")
    elif now != served_version:  # the publish committed before the kill: the new version
        lost = [k for k in lost if k != LAYER]
        extra += "; the publish had committed before the kill"
    orphans_before = _orphans(ws)
    orphans = next_write(ws)
    if orphans:
        problems.append(f"orphan tables after the next write: {orphans}")
    detail = (
        f"v{now} served (was v{served_version}), integrity {check}, "
        f"orphans {len(orphans_before)} -> {len(orphans)} after the next write, "
        f"lost {len(lost)}{extra}"
    )
    if problems:
        detail += " | " + "; ".join(problems)
    return FaultCase(name, not problems, detail, lost)


def _running_reader(reader, before: Snapshot) -> str:
    """Can a store opened before the crash (a running server) still read, and the same data?"""
    try:
        after = snapshot(reader)
    except Exception as exc:  # noqa: BLE001 (what a running server would answer with a 500)
        return f"; a running server's reads FAIL: {type(exc).__name__}: {exc}"
    finally:
        getattr(reader, "close", lambda: None)()
    lost = [k for k in before.lost(after) if k != LAYER]
    return "; a running server reads on" + (f" but lost {lost}: FAILS" if lost else "")


def _orphans(ws: Workspace) -> list[str]:
    store = ws.open_store()
    try:
        return store.orphan_tables()
    finally:
        store.close()


def _stamp(path: str) -> tuple[int, int]:
    st = Path(path).stat()
    return st.st_size, st.st_mtime_ns


def _lines(stream, out: queue.Queue) -> None:
    for line in stream:
        out.put(line)
    out.put(None)


# -- the crashes ---------------------------------------------------------------------------


def kill_mid_import(ws: Workspace, rng: random.Random, features: int = 60000) -> FaultCase:
    """kill -9 `flask layers import --publish` while it writes the new version's table."""
    before = state(ws)
    reader = ws.open_store()  # a running server's store, open before the crash
    reader.generation()
    path = big_file(ws.root / f"big_{features}.geojson", features)
    proc = subprocess.Popen(
        ws.flask("layers", "import", str(path), "--id", LAYER, "--publish"),
        cwd=REPO,
        env=ws.env(),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=_lines, args=(proc.stderr, lines), daemon=True).start()
    while (line := lines.get(timeout=300)) is not None and "writing the new version" not in line:
        pass
    journal = Path(ws.store + "-journal")
    deadline = time.monotonic() + 60
    # GeoPackage: wait until the write transaction is open (its journal exists).
    while not ws.is_postgis and not journal.exists() and proc.poll() is None:
        if time.monotonic() > deadline:
            break
        time.sleep(0.005)
    if not ws.is_postgis and journal.exists():
        # Wait until pages reach the store file itself (the journal is then truly hot).
        mark = _stamp(ws.store)
        while _stamp(ws.store) == mark and proc.poll() is None and time.monotonic() < deadline:
            time.sleep(0.002)
    time.sleep(rng.uniform(0.0, 0.05))
    alive = proc.poll() is None
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    hot = journal.exists()
    extra = f"; killed {'while writing' if alive else 'AFTER it ended'}" + (
        ", hot journal left" if hot else ""
    )
    running = _running_reader(reader, before)
    case = check_after_crash(ws, before, "kill -9 mid-import", extra + running, completed=True)
    if "FAILS" in running:
        case.ok = False
    if not alive:
        case.ok, case.detail = False, case.detail + " | the kill came too late"
    return case


_SLOW_PUBLISH = """
import sys, time
from app.stores import open_store
store = open_store(sys.argv[1])
cls = type(store)
prune = cls._prune
def held(self, conn, layer_id):
    prune(self, conn, layer_id)  # the pointer has moved; the transaction is not committed
    print("inside-publish", flush=True)
    time.sleep(300)
cls._prune = held
store.publish(sys.argv[2], int(sys.argv[3]), "crash")
"""


def kill_mid_publish(ws: Workspace) -> FaultCase:
    """Stage a draft, then kill -9 a publish of it inside its transaction."""
    from app.publishing.importer import ImportOptions, import_file

    store = ws.open_store()
    try:
        path = ws.root / "draft.geojson"
        path.write_text(
            json.dumps({"type": "FeatureCollection", "features": versioned_features("B")})
        )
        draft = import_file(store, path, ImportOptions(LAYER), "reliability").report.version
    finally:
        store.close()
    before = state(ws)
    proc = subprocess.Popen(
        [sys.executable, "-c", _SLOW_PUBLISH, ws.store, LAYER, str(draft)],
        cwd=REPO,
        env=ws.env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    reached = proc.stdout.readline().strip() == "inside-publish"
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    case = check_after_crash(ws, before, "kill -9 mid-publish", f"; draft v{draft} not served")
    statuses = dict(state(ws).versions.get(LAYER, []))
    if not reached or statuses.get(draft) != "draft":
        case.ok = False
        case.detail += f" | publish reached: {reached}; draft v{draft} is {statuses.get(draft)}"
    return case


def run_kills(ws: Workspace, fresh, rounds: int = 1, seed: int = 9) -> FaultResult:
    """`rounds` kills mid-import (at random moments of the write), then one mid-publish on
    `fresh()` (a new workspace: a failed round may have cost the first one its data)."""
    rng = random.Random(seed)
    result = FaultResult()
    for _ in range(rounds):
        result.cases.append(kill_mid_import(ws, rng))
        if not result.cases[-1].ok:
            break  # the next rounds would only repeat the damage
    other = fresh()
    try:
        result.cases.append(kill_mid_publish(other))
    finally:
        other.close()
    return result
