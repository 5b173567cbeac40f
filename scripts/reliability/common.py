"""What every reliability check needs: a workspace, a versioned layer, a server, snapshots.

A workspace is a throw-away directory holding a store (a GeoPackage there, or a fresh
PostGIS database), the settings that point the app at it, and the layer `carico` whose
versions differ in a marker property (`versione` = "A", "B", "C") and in their feature
counts, so a response mixing two versions is visible, and every count can be checked.
"""

from __future__ import annotations

import hashlib
import json
import os
import secrets
import socket
import sqlite3
import subprocess
import sys
import time
import urllib.request
import uuid
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
DATA = REPO / "tests" / "data"
LAYER = "carico"
#: Marker -> feature count of that version of `carico`.
VERSIONS = {"A": 300, "B": 400, "C": 500}
BBOX = (10.0, 45.11, 10.03005, 45.13505)  # edges between grid points: no boundary cases
FILTER = "valore > 50"


def _point(i: int) -> tuple[float, float]:
    """A fixed grid position for feature `i`, inside Cremona (same in every version)."""
    return round(10.0 + (i * 7919 % 600) / 10000, 5), round(45.11 + (i * 104729 % 500) / 10000, 5)


def _valore(i: int, marker: str) -> float:
    return float((i * 37 + 11 * (ord(marker) - 65)) % 100)


def versioned_features(marker: str) -> list[dict]:
    """The GeoJSON features of version `marker` of `carico`."""
    return [
        {
            "type": "Feature",
            "properties": {
                "codice": i,
                "nome": f"Punto {i} ({marker})",
                "versione": marker,
                "valore": _valore(i, marker),
            },
            "geometry": {"type": "Point", "coordinates": list(_point(i))},
        }
        for i in range(1, VERSIONS[marker] + 1)
    ]


def write_version(path: Path, marker: str) -> Path:
    """Write version `marker` of `carico` as GeoJSON (WGS84) at `path`."""
    doc = {"type": "FeatureCollection", "features": versioned_features(marker)}
    Path(path).write_text(json.dumps(doc), encoding="utf-8")
    return Path(path)


def expected_counts(marker: str) -> dict[str, int]:
    """numberMatched of each checked query on version `marker`."""
    minx, miny, maxx, maxy = BBOX
    n = VERSIONS[marker]
    in_box = [
        i for i in range(1, n + 1) if minx <= _point(i)[0] <= maxx and miny <= _point(i)[1] <= maxy
    ]
    return {
        "all": n,
        "bbox": len(in_box),
        "filter": sum(1 for i in range(1, n + 1) if _valore(i, marker) > 50),
    }


# -- workspace ---------------------------------------------------------------------------


@dataclass
class Workspace:
    """A store and the settings of an app serving it (for subprocesses and in-process apps)."""

    root: Path
    store: str  # a GeoPackage path or a postgresql:// URL
    secret: str = field(default_factory=lambda: secrets.token_hex(32))
    cleanup: list = field(default_factory=list)
    extra: dict = field(default_factory=dict)  # more settings (e.g. STORE_READ)

    @property
    def is_postgis(self) -> bool:
        from app.stores import is_postgres

        return is_postgres(self.store)

    def settings(self) -> dict[str, str]:
        return {
            **self.extra,
            "STORE": self.store,
            "LAYERS_DIR": str(DATA / "layers"),
            "DATA_ROOT": str(DATA),
            "BASEMAP": "none",
            "ACCOUNTS": str(self.root / "accounts.sqlite"),
            "MAPS_DIR": str(self.root / "maps"),
            "SECRET_KEY": self.secret,
        }

    def env(self, **extra: str) -> dict[str, str]:
        env = dict(os.environ, PYTHONPATH=str(REPO), PYTHONUNBUFFERED="1")
        env.update({f"GEOPORTALE_{k}": v for k, v in self.settings().items()})
        env.update(extra)
        return env

    def flask(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "flask", "--app", "app", *args]

    def cli(self, *args: str, timeout: float = 300, **popen) -> subprocess.CompletedProcess:
        """Run `flask <args>` in its own process; stdout and stderr captured as text."""
        return subprocess.run(
            self.flask(*args),
            cwd=REPO,
            env=self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            **popen,
        )

    def open_store(self):
        from app.stores import open_store

        return open_store(self.store)

    def close(self) -> None:
        for fn in reversed(self.cleanup):
            fn()


def make_workspace(root: Path, pg_admin: str | None = None) -> Workspace:
    """The fixture layers plus version "A" of `carico`, published, in a new store."""
    root = Path(root)
    root.mkdir(parents=True, exist_ok=True)
    ws = Workspace(root, str(root / "store.gpkg"))
    if pg_admin:
        ws.store = _new_database(pg_admin, ws)
    fill_workspace(ws)
    return ws


def fill_workspace(ws: Workspace) -> None:
    """Load the fixture layers and publish version "A" of `carico` into the workspace's store."""
    from app.publishing.importer import ImportOptions, import_file
    from app.registry import load_registry
    from app.stores.build import sync_shipped

    root = ws.root
    sync_shipped(load_registry(DATA / "layers", DATA), DATA, DATA / "layers", ws.store)
    store = ws.open_store()
    result = import_file(
        store,
        write_version(root / "carico_A.geojson", "A"),
        ImportOptions(LAYER, title="Carico", publish=True),
        "reliability",
    )
    assert result.ok, result.report.as_dict()
    store.close()


def _new_database(admin_url: str, ws: Workspace) -> str:
    import psycopg

    name = f"gp_reliability_{uuid.uuid4().hex[:10]}"
    with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')

    def drop():
        with psycopg.connect(admin_url, autocommit=True, connect_timeout=5) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    ws.cleanup.append(drop)
    return f"{admin_url.rpartition('/')[0]}/{name}"


# -- what the store serves ----------------------------------------------------------------


@dataclass(frozen=True)
class Snapshot:
    """What a change must not alter unless it succeeds: served versions and their data."""

    generation: int
    served: dict  # layer id -> (version, sha256 of its features)
    versions: dict  # layer id -> [(version, status)]

    def lost(self, after: Snapshot) -> list[str]:
        """Layers whose served data is missing or different in `after` (data lost)."""
        return sorted(k for k, v in self.served.items() if after.served.get(k) != v)


def snapshot(store) -> Snapshot:
    """The served version and a digest of every feature of every published layer."""
    from app.stores.base import Query

    served, versions = {}, {}
    for spec in store.published_specs():
        info = store.describe(spec.id)
        page = store.query(spec, Query(limit=10**6))
        digest = hashlib.sha256(
            json.dumps(
                [f.as_geojson() for f in page.features], sort_keys=True, default=str
            ).encode()
        ).hexdigest()
        served[spec.id] = (info.version, digest)
    for layer_id in store.layer_ids():
        versions[layer_id] = [(v.version, v.status) for v in store.versions(layer_id)]
    return Snapshot(store.generation(), served, versions)


def integrity(ws: Workspace) -> str:
    """`PRAGMA integrity_check` of a GeoPackage store ('ok'); PostGIS: 'ok (transactional)'."""
    if ws.is_postgis:
        return "ok (transactional)"
    with sqlite3.connect(ws.store, timeout=30) as conn:
        rows = conn.execute("PRAGMA integrity_check").fetchall()
    return "; ".join(r[0] for r in rows)


def set_aside_files(ws: Workspace) -> list[str]:
    """Store files moved aside as unusable (each one means a rebuild lost what it held)."""
    if ws.is_postgis:
        return []
    return sorted(p.name for p in Path(ws.store).parent.glob(Path(ws.store).name + ".unusable-*"))


# -- a live server ----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def has_gunicorn() -> bool:
    try:
        import gunicorn  # noqa: F401
    except ImportError:
        return False
    return True


class Server:
    """The app on a real socket, in its own processes; stderr kept in `log`.

    gunicorn (`workers` processes x `threads` threads, all on the same store; a worker
    silent for `timeout` seconds is killed and replaced) when it is installed, else
    `flask run --with-threads`; `env` adds environment variables.
    """

    def __init__(
        self,
        ws: Workspace,
        workers: int = 2,
        threads: int = 16,
        timeout: int = 120,
        env: dict | None = None,
    ):
        self.ws, self.port = ws, free_port()
        self.extra_env = env or {}  # more settings, e.g. GEOPORTALE_INSECURE_COOKIES
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = ws.root / f"server-{self.port}.log"
        if has_gunicorn():
            self.kind = f"gunicorn {workers} workers x {threads} threads"
            self.cmd = [
                sys.executable, "-m", "gunicorn", "--workers", str(workers), "--threads",
                str(threads), "--bind", f"127.0.0.1:{self.port}", "--graceful-timeout", "5",
                "--timeout", str(timeout), "app:create_app()",
            ]  # fmt: skip
        else:
            self.kind = "flask run --with-threads"
            self.cmd = ws.flask("run", "--with-threads", "--port", str(self.port))
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        with open(self.log, "wb") as log:
            self.proc = subprocess.Popen(
                self.cmd,
                cwd=REPO,
                env=self.ws.env(**self.extra_env),
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(self.url + "/api/conformance", timeout=2).read()
                return self
            except OSError:
                if self.proc.poll() is not None or time.monotonic() > deadline:
                    self.__exit__()
                    log = self.log.read_text()[-3000:]
                    raise RuntimeError("server did not start:\n" + log) from None
                time.sleep(0.2)

    def __exit__(self, *exc) -> None:
        if self.proc and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(15)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()

    def tracebacks(self) -> int:
        return self.log.read_text(errors="replace").count("Traceback")
