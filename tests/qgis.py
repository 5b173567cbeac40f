"""Debian's QGIS for the round-trip tests: a script run by /usr/bin/python3 in a subprocess.

QGIS's Python bindings live in the system Python, not in our virtualenv, so a test writes
its inputs to files, runs a script with them here, and reads back the JSON it prints. The
test skips, saying why, where QGIS is not installed (.ci/run installs it:
apt-get install python3-qgis).
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

PYTHON = "/usr/bin/python3"
TIMEOUT = 180


def _qgis_missing() -> str | None:
    if not Path(PYTHON).exists():
        return f"{PYTHON} is absent"
    probe = subprocess.run(
        [PYTHON, "-c", "import qgis.core"],
        capture_output=True,
        text=True,
        env=_env(),
        timeout=TIMEOUT,
    )
    if probe.returncode:
        return "QGIS's Python bindings are not installed (apt-get install python3-qgis)"
    return None


def _env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
    env["QT_QPA_PLATFORM"] = "offscreen"
    env.setdefault("XDG_RUNTIME_DIR", "/tmp")
    return env


def run_qgis(script: Path, job: dict, tmp_path: Path) -> dict:
    """Run `script` (a QGIS Python script) with `job` as JSON in argv[1]; its JSON output.

    The script prints one JSON object as its last line of stdout."""
    missing = _qgis_missing()
    if missing:
        pytest.skip(f"QGIS round trip not run: {missing}")
    job_path = tmp_path / "qgis_job.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    done = subprocess.run(
        [PYTHON, str(script), str(job_path)],
        capture_output=True,
        text=True,
        env=_env(),
        cwd=tmp_path,
        timeout=TIMEOUT,
    )
    assert done.returncode == 0, done.stderr[-3000:]
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    assert lines, f"no result from QGIS: {done.stdout[-2000:]} {done.stderr[-2000:]}"
    return json.loads(lines[-1])
