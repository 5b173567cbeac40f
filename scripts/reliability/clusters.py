"""Two real PostgreSQL clusters on this machine: a primary and a hot standby streaming from it.

Made with the server's own tools (initdb, pg_basebackup -R, pg_ctl) as the `postgres` user,
each in a temporary directory on a free port, so the replica tests, the reliability check
(`--replica`) and the benchmark need no configured server. `make_pair()` raises
`ClustersUnavailable` with the reason where that cannot run (no PostgreSQL binaries, no
PostGIS, not root nor postgres); the tests skip with it.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

REPLICATOR = "replicator"


class ClustersUnavailable(Exception):
    """Two clusters cannot be made on this machine (the message says why)."""


def _bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), reverse=True)
    return Path(found[0]).parent if found else None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def why_not() -> str | None:
    """The reason two clusters cannot be made here, or None."""
    bindir = _bindir()
    if bindir is None:
        return "no PostgreSQL server binaries (/usr/lib/postgresql/*/bin/initdb)"
    if not shutil.which("pg_basebackup", path=str(bindir)):
        return f"no pg_basebackup in {bindir}"
    if not glob.glob("/usr/share/postgresql/*/extension/postgis.control"):
        return "PostGIS is not installed (apt-get install postgresql-15-postgis-3)"
    try:
        pwd.getpwnam("postgres")
    except KeyError:
        return "no `postgres` system user to run the clusters as"
    if os.geteuid() != 0 and pwd.getpwuid(os.geteuid()).pw_name != "postgres":
        return "the clusters are made as the postgres user: run the tests as root or postgres"
    return None


class Cluster:
    """One PostgreSQL server in `datadir`, listening on 127.0.0.1:`port`."""

    def __init__(self, name: str, datadir: Path, port: int, bindir: Path):
        self.name, self.datadir, self.port, self.bindir = name, datadir, port, bindir

    def run(self, *args: str, check: bool = True) -> subprocess.CompletedProcess:
        """A server tool (`initdb`, `pg_ctl`, ...) run as the postgres user."""
        command = [str(self.bindir / args[0]), *args[1:]]
        if os.geteuid() == 0:
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True, timeout=120)
        if check and done.returncode != 0:
            raise RuntimeError(f"{' '.join(args[:2])} failed: {done.stderr[-2000:]}")
        return done

    def url(self, dbname: str = "postgres", user: str = "postgres") -> str:
        return f"postgresql://{user}@127.0.0.1:{self.port}/{dbname}"

    def start(self) -> None:
        self.run("pg_ctl", "-D", str(self.datadir), "-l", str(self.datadir / "log"), "-w", "start")

    def stop(self, mode: str = "fast") -> None:
        self.run("pg_ctl", "-D", str(self.datadir), "-m", mode, "-w", "stop", check=False)

    def promote(self) -> None:
        self.run("pg_ctl", "-D", str(self.datadir), "-w", "promote")

    def sql(self, statement: str, dbname: str = "postgres"):
        import psycopg

        with psycopg.connect(self.url(dbname), autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else None


_SETTINGS = """
listen_addresses = '127.0.0.1'
port = {port}
unix_socket_directories = '{sockets}'
wal_level = replica
max_wal_senders = 5
hot_standby = on
fsync = off
synchronous_commit = off
full_page_writes = off
shared_buffers = 32MB
max_connections = 60
"""


def make_pair(fill) -> tuple[Cluster, Cluster, str, Path]:
    """A primary whose database `geoportale` `fill(url)` loads, and a hot standby of it
    (pg_basebackup -R: streaming replication as the `replicator` role), both started.
    Returns (primary, standby, dbname, the work directory to remove)."""
    reason = why_not()
    if reason:
        raise ClustersUnavailable(reason)
    bindir = _bindir()
    work = Path(tempfile.mkdtemp(prefix="gp-replicas-"))
    pw = pwd.getpwnam("postgres")
    os.chown(work, pw.pw_uid, pw.pw_gid)
    os.chmod(work, 0o700)
    primary = Cluster("primary", work / "primary", _free_port(), bindir)
    standby = Cluster("standby", work / "standby", _free_port(), bindir)
    try:
        primary.run(
            "initdb", "-D", str(primary.datadir), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        with open(primary.datadir / "postgresql.conf", "a") as conf:
            conf.write(_SETTINGS.format(port=primary.port, sockets=work))
        with open(primary.datadir / "pg_hba.conf", "a") as hba:
            hba.write(f"host replication {REPLICATOR} 127.0.0.1/32 trust\n")
        primary.start()
        primary.sql(f"CREATE ROLE {REPLICATOR} WITH REPLICATION LOGIN")
        primary.sql("CREATE DATABASE geoportale")
        primary.sql("CREATE EXTENSION postgis", "geoportale")
        fill(primary.url("geoportale"))
        standby.run(
            "pg_basebackup",
            "-h", "127.0.0.1", "-p", str(primary.port), "-U", REPLICATOR,
            "-D", str(standby.datadir), "-R", "-X", "stream", "-c", "fast", "--no-sync",
        )  # fmt: skip
        with open(standby.datadir / "postgresql.conf", "a") as conf:
            conf.write(f"port = {standby.port}\n")
        standby.start()
        wait_for(lambda: standby.sql("SELECT pg_is_in_recovery()")[0][0], 30, "standby in recovery")
    except BaseException:
        remove(primary, standby, work)
        raise
    return primary, standby, "geoportale", work


def wait_for(check, seconds: float, what: str):
    """`check()`'s first true value within `seconds` (errors count as not yet)."""
    deadline = time.monotonic() + seconds
    while True:
        try:
            value = check()
            if value:
                return value
        except Exception:  # noqa: BLE001 (a server starting up, a connection refused)
            pass
        if time.monotonic() > deadline:
            raise AssertionError(f"not within {seconds} s: {what}")
        time.sleep(0.1)


def remove(primary: Cluster, standby: Cluster, work: Path) -> None:
    for cluster in (standby, primary):
        cluster.stop("immediate")
    shutil.rmtree(work, ignore_errors=True)
