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
