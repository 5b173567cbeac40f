"""A hostile environment: disk full and a read-only store during import and publish, and an
app started on a store that is missing, corrupt, truncated or unreachable.

Disk full: the store is copied onto a small tmpfs (root), else the import runs under
RLIMIT_FSIZE. Read-only: a read-only bind mount of the store's directory (root), else
`chmod a-w`. Each change must fail with a clear message (exit 1, no traceback) and leave
the store as it was; each bad start must answer with a message, never a traceback.
"""

from __future__ import annotations

import contextlib
import json
import os
import resource
import shutil
import signal
import subprocess
from pathlib import Path

from scripts.reliability.common import (
    LAYER,
    Workspace,
    integrity,
    make_workspace,
    set_aside_files,
)
from scripts.reliability.faults import FaultCase, FaultResult, big_file, probe, state


def _mount(*args: str) -> bool:
    if os.geteuid() != 0 or not shutil.which("mount"):
        return False
    return subprocess.run(["mount", *args], capture_output=True).returncode == 0


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True)


def _clear(proc: subprocess.CompletedProcess) -> tuple[bool, str]:
    """Exit 1 (or 2) with an `error:` line and no traceback."""
    text = (proc.stderr or "") + (proc.stdout or "")
    lines = text.strip().splitlines() or [""]
    message = next((x for x in lines if x.startswith("error:")), lines[-1])
    ok = proc.returncode in (1, 2) and "Traceback" not in text and "error:" in text
    shown = ("TRACEBACK ending in " if "Traceback" in text else "") + message.strip()[:160]
    return ok, f"exit {proc.returncode}: {shown}"


def _unchanged(ws: Workspace, before, name: str, outcome: tuple[bool, str]) -> FaultCase:
    ok, detail = outcome
    after = state(ws)
    lost = before.lost(after)
    check = integrity(ws)
    same = after.served == before.served
    detail += f"; served data {'unchanged' if same else 'CHANGED'}; integrity {check}"
    return FaultCase(name, ok and same and check.startswith("ok"), detail, lost)


def _stage_draft(ws: Workspace) -> int:
    from app.publishing.importer import ImportOptions, import_file
    from scripts.reliability.common import write_version

    store = ws.open_store()
    try:
        path = write_version(ws.root / "draft_B.geojson", "B")
        return import_file(store, path, ImportOptions(LAYER), "reliability").report.version
    finally:
        store.close()


def disk_full(root: Path) -> list[FaultCase]:
    """Import onto a nearly full disk; publish onto a full one."""
    root.mkdir(parents=True, exist_ok=True)
    big = big_file(root / "big_60000.geojson", 60000)
    disk = root / "disk"
    disk.mkdir(exist_ok=True)
    seed = make_workspace(root / "seed")
    size = os.path.getsize(seed.store)
    if not _mount("-t", "tmpfs", "-o", f"size={size + 3 * 1024**2}", "tmpfs", str(disk)):
        return [_disk_full_rlimit(seed, big)]
    try:
        ws = Workspace(disk, str(disk / "store.gpkg"), seed.secret)
        shutil.copy(seed.store, ws.store)
        before = state(ws)
        proc = ws.cli("layers", "import", str(big), "--id", LAYER, "--publish")
        cases = [_unchanged(ws, before, "disk full during import", _clear(proc))]
        draft = _stage_draft(ws)
        before = state(ws)
        filler = disk / "filler"
        with open(filler, "wb") as fh, contextlib.suppress(OSError):
            while True:
                fh.write(b"\0" * 65536)
                fh.flush()
        proc = ws.cli("layers", "publish", LAYER, "--version", str(draft))
        filler.unlink()
        cases.append(_unchanged(ws, before, "disk full during publish", _clear(proc)))
        return cases
    finally:
        _umount(disk)


def _disk_full_rlimit(ws: Workspace, big: Path) -> FaultCase:
    before = state(ws)
    limit = os.path.getsize(ws.store) + 512 * 1024

    def limited():
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)  # write() fails with EFBIG instead
        resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))

    proc = ws.cli("layers", "import", str(big), "--id", LAYER, "--publish", preexec_fn=limited)
    return _unchanged(ws, before, "file size limit during import (no tmpfs)", _clear(proc))


def read_only(root: Path) -> list[FaultCase]:
    """Import and publish while the store and its directory cannot be written."""
    ws = make_workspace(root / "ro")
    draft = _stage_draft(ws)
    before = state(ws)
    folder = Path(ws.store).parent
    mounted = _mount("--bind", str(folder), str(folder)) and _mount(
        "-o", "remount,ro,bind", str(folder)
    )
    if not mounted:
        _umount(folder)
        os.chmod(ws.store, 0o444)
        os.chmod(folder, 0o555)
    cases = []
    try:
        for name, args in (
            ("read-only store: import", ("layers", "import", str(ws.root / "carico_A.geojson"))),
            ("read-only store: publish", ("layers", "publish", LAYER)),
        ):
            if "import" in args:
                args = (*args, "--id", LAYER, "--publish")
            proc = subprocess.run(
                ws.flask(*args),
                cwd=ws.root,
                env=ws.env(GEOPORTALE_AUTO_BUILD="false"),
                capture_output=True,
                text=True,
                timeout=300,
            )
            cases.append(_unchanged(ws, before, name, _clear(proc)))
        (status, body), stderr = _first(probe(ws, [f"/api/collections/{LAYER}?f=json"]))
        ok = status == 200 and "Traceback" not in stderr
        last = stderr.strip().splitlines()[-1:] or [""]
        shown = f"; TRACEBACK at start: {last[0][:160]}" if "Traceback" in stderr else ""
        cases.append(FaultCase("read-only store: start and serve", ok, f"HTTP {status}{shown}"))
    finally:
        if mounted:
            _umount(folder)
        else:
            os.chmod(folder, 0o755)
            os.chmod(ws.store, 0o644)
    statuses = dict(state(ws).versions[LAYER])
    if statuses.get(draft) != "draft":
        cases[-1].ok, cases[-1].detail = False, f"draft v{draft} is now {statuses.get(draft)}"
    return cases


def _first(pair):
    responses, stderr = pair
    return responses[0], stderr


def bad_starts(root: Path, only: tuple[str, ...] = ()) -> list[FaultCase]:
    """Start the app on a missing, corrupt, truncated or unreachable store (`only`: those
    whose name contains one of these words)."""
    cases = []
    path = "/api/collections?f=json"
    for name, damage, settings, expect in (
        ("start: store missing (rebuilt)", "remove", {}, 200),
        ("start: store missing, AUTO_BUILD off", "remove", {"AUTO_BUILD": False}, 503),
        ("start: store is garbage (set aside, rebuilt)", "garbage", {}, 200),
        ("start: store truncated", "truncate", {}, 200),
        ("start: store is a directory", "directory", {"AUTO_BUILD": False}, 503),
        ("start: PostGIS unreachable", None, {"STORE": "postgresql://gp@127.0.0.1:9/gp"}, 503),
    ):
        if only and not any(word in name for word in only):
            continue
        ws = make_workspace(root / name.split(":")[1].split("(")[0].strip().replace(" ", "_"))
        store = Path(ws.store)
        if damage == "remove":
            store.unlink()
        elif damage == "garbage":
            store.write_bytes(os.urandom(200_000))
        elif damage == "truncate":
            with open(store, "r+b") as fh:
                fh.truncate(store.stat().st_size // 2)
        elif damage == "directory":
            store.unlink()
            store.mkdir()
        (status, body), stderr = _first(probe(ws, [path], **settings))
        traceback = "Traceback" in stderr or "Traceback" in body
        try:
            detail = json.loads(body).get("detail", "") if status != 200 else "served"
        except ValueError:
            detail = body[:120]
        ok = status == expect and not traceback
        if damage in ("garbage", "truncate") and status == 200:
            pages, stderr = probe(ws, ["/api/collections/zone/items?f=json", "/"])
            ok = ok and all(s == 200 for s, _ in pages) and "Traceback" not in stderr
            aside = set_aside_files(ws)
            detail = f"pages after start {[s for s, _ in pages]}, set aside: {aside or 'none'}"
        cases.append(
            FaultCase(name, ok, f"HTTP {status}: {detail[:140]}" + (" (TRACEBACK)" * traceback))
        )
    return cases


def run_environment(root: Path) -> FaultResult:
    result = FaultResult()
    result.cases += disk_full(root / "full")
    result.cases += read_only(root / "readonly")
    result.cases += bad_starts(root / "starts")
    return result
