"""Slots for heavy requests (prints, process executions, large downloads), machine-wide.

A print of a 900k-feature layer takes 12-42 s; a few at once would hold every worker and the
map (tiles, items) would starve. So at most HEAVY_SLOTS heavy requests run at once, and the
next one is refused at once with a 503 and Retry-After (queueing it would still hold a worker,
which is what starves the map).

gunicorn runs several worker processes, so a threading semaphore would bound each worker
only. A slot is an exclusive `flock(2)` on one of HEAVY_SLOTS files in LOCK_DIR, tried without
blocking one after the other. The kernel drops the lock when the file is closed or the process
dies, so a crashed or killed worker never leaks a slot (a counter in SQLite would). flock
locks belong to the open file description, so two threads of one worker also exclude each
other. The bound is per machine (per LOCK_DIR): app servers behind a balancer each have
their own.
"""

from __future__ import annotations

import fcntl
import os
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app

from app.errors import ServerBusy

KEY = "geoportale.heavy"


class HeavySlots:
    """`slots` machine-wide slots kept as lock files in `directory` (0 slots: no limit)."""

    def __init__(self, directory: Path, slots: int, retry_after: int):
        self.directory = Path(directory)
        self.slots = slots
        self.retry_after = retry_after

    def _path(self, index: int) -> Path:
        return self.directory / f"heavy-{index}.lock"

    @contextmanager
    def hold(self) -> Iterator[None]:
        """Hold a free slot for the `with` block; ServerBusy (503) when every one is taken."""
        if self.slots <= 0:
            yield
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for index in range(self.slots):
            fd = os.open(self._path(index), os.O_RDWR | os.O_CREAT, 0o600)
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                os.close(fd)
                continue
            try:
                yield
            finally:
                os.close(fd)  # closing the file releases the lock
            return
        raise ServerBusy(
            f"Troppe richieste pesanti in corso: riprova tra {self.retry_after} s. / "
            f"Too many heavy requests (prints, processes, large downloads) are running "
            f"(limit GEOPORTALE_HEAVY_SLOTS={self.slots}): try again in {self.retry_after} s.",
            self.retry_after,
        )


def init_app(app: Flask, settings: dict, *, private: bool = False) -> None:
    """Keep the app's slots; `private` (tests not naming LOCK_DIR): a directory of its own,
    so parallel test processes never take each other's slots."""
    directory = settings["LOCK_DIR"]
    if private:  # made on first use only: most test apps never take a slot
        directory = Path(tempfile.gettempdir()) / f"geoportale-locks-{uuid.uuid4().hex}"
    app.extensions[KEY] = HeavySlots(
        Path(directory), settings["HEAVY_SLOTS"], settings["HEAVY_RETRY_AFTER"]
    )


def heavy_slot():
    """The current app's slot context manager: `with heavy_slot(): ...`."""
    return current_app.extensions[KEY].hold()
