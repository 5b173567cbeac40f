"""The time limit of a read made for a request, on either store, and the typed errors its
failures become (issue 14: one costly anonymous request must not hold a worker).

GeoPackage: SQLite calls a progress handler every PROGRESS_OPS virtual-machine steps of a
statement; past the deadline it answers "stop", and the statement fails with "interrupted"
(the connection stays usable). The deadline is armed per read snapshot, on the thread's own
read connection only: writes use other connections (and GDAL), so they are never cut.

PostgreSQL: `statement_timeout` set when the pool opens a session (no round trip per read);
write transactions lift it for themselves (`SET LOCAL`, see PostgisCatalogMixin._lock).
"""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import contextmanager

import psycopg
from psycopg import errors as pg_errors

from app.errors import InvalidParameter, QueryTimeout

# Steps between two looks at the clock: ~a tenth of a millisecond of SQLite work, so the
# handler (a Python call) costs little and a statement stops soon after its deadline.
PROGRESS_OPS = 1000


def timeout_error(timeout_ms: int) -> QueryTimeout:
    if not timeout_ms:  # no limit of ours: cancelled by the database's administrator
        return QueryTimeout("the database cancelled the query; try again later")
    return QueryTimeout(
        f"the query took longer than the {timeout_ms} ms this server allows a request; "
        "narrow it (a smaller bbox, a more selective filter, a lower limit) or try again later"
    )


class SqliteDeadline:
    """A per-thread deadline that the read connections' progress handler enforces."""

    def __init__(self, timeout_ms: int = 0):
        self.timeout_ms = int(timeout_ms or 0)
        self._local = threading.local()

    def install(self, conn: sqlite3.Connection) -> None:
        """Give a new read connection the handler (none when there is no limit)."""
        if self.timeout_ms:
            conn.set_progress_handler(self._expired, PROGRESS_OPS)

    def _expired(self) -> int:
        deadline = getattr(self._local, "deadline", None)
        return int(deadline is not None and time.monotonic() > deadline)

    @contextmanager
    def armed(self):
        """The statements run inside stop at the deadline: "interrupted" becomes QueryTimeout
        (and a filter too deep for SQLite's parser a 400)."""
        if self.timeout_ms:
            self._local.deadline = time.monotonic() + self.timeout_ms / 1000
        try:
            yield
        except sqlite3.OperationalError as exc:
            if "interrupted" in str(exc):
                raise timeout_error(self.timeout_ms) from None
            if "parser stack overflow" in str(exc):  # SQLite's parser holds ~100 levels
                raise InvalidParameter(
                    "filter nests too deeply for this store (fewer levels of NOT and of "
                    "alternating AND/OR)",
                    "filter",
                ) from None
            raise
        finally:
            self._local.deadline = None


def postgres_options(timeout_ms: int) -> dict:
    """Connection keywords giving every pooled session the statement time limit."""
    return {"options": f"-c statement_timeout={int(timeout_ms)}"} if timeout_ms else {}


@contextmanager
def postgres_read_errors(timeout_ms: int):
    """A cancelled statement becomes QueryTimeout; a value PostgreSQL refuses (a check the
    parameter parsers missed) a 400, not a 500."""
    try:
        yield
    except pg_errors.QueryCanceled:
        raise timeout_error(timeout_ms) from None
    except psycopg.DataError as exc:
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0][:200]
        raise InvalidParameter(f"a value of the request cannot be used: {first}") from None
