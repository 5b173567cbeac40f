"""Fixtures for hostile uploads: a secret file with a canary, and a listener that must stay idle."""

from __future__ import annotations

import http.server
import secrets
import threading
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from scripts.reliability.virtual import virtual_files, write_secret


@dataclass
class Listener:
    url: str
    hits: list[str] = field(default_factory=list)


@pytest.fixture
def listener():
    """An HTTP server on 127.0.0.1 that records every request (none may arrive)."""
    hits: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self):  # noqa: N802 (http.server's naming)
            hits.append(self.path)
            body = b"x,y,secret\n10,45,REMOTE-CANARY\n"
            self.send_response(200)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_HEAD = do_GET

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Listener(f"http://127.0.0.1:{server.server_address[1]}", hits)
    server.shutdown()
    server.server_close()


@dataclass
class Hostile:
    canary: str
    secret: Path
    files: dict[str, tuple[str, bytes]]


@pytest.fixture
def hostile(tmp_path, listener) -> Hostile:
    """The virtual-file uploads of scripts/reliability/virtual.py, aimed at a fresh canary."""
    folder = tmp_path / "server-side"
    folder.mkdir()
    canary = f"CANARY-{secrets.token_hex(8)}"
    secret = write_secret(folder, canary)
    return Hostile(canary, secret, virtual_files(secret, listener.url))
