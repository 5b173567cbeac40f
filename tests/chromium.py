"""Debian's Chromium for the browser tests, driven by Playwright (never `playwright install`)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def sync_api():
    """playwright.sync_api, or a skip naming what is missing."""
    if not Path(CHROMIUM).exists() and not shutil.which("chromium"):
        pytest.skip("Chromium is not installed (apt-get install chromium); .ci/run installs it")
    return pytest.importorskip("playwright.sync_api")


def launch(playwright):
    """Chromium with the flags this machine needs (no background networking)."""
    return playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)


def wait_for_js(page, expression: str, timeout_ms: int = 30_000, interval_ms: int = 50):
    """Wait until `expression` (JS; an expression or a function) is truthy in the page.

    Polls from Python with `page.evaluate`, which the DevTools protocol runs outside the
    page's Content Security Policy. Playwright's own `wait_for_function` polls inside the
    page with `eval`, which our CSP (no 'unsafe-eval') refuses as soon as the first check
    fails, i.e. whenever the machine is slow.
    """
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while True:
        value = page.evaluate(expression)
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout_ms} ms waiting for: {expression}")
        page.wait_for_timeout(interval_ms)
