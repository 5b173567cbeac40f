"""Refresh the pinned copy of Leaflet-Geoman (free edition) served by the geoportal.

The web editor (app/editing) uses `@geoman-io/leaflet-geoman-free` (MIT) from
`app/static/vendor/leaflet-geoman/`, never from a CDN. This script takes the package from
the npm registry (`npm pack`), checks the tarball against the registry's integrity hash,
copies the built files and the licence, and writes `VERSION.json` (version, integrity,
sha256 of each file).

    python3 scripts/refresh_geoman.py                 # the pinned version again
    python3 scripts/refresh_geoman.py --version 2.21.0
    python3 scripts/refresh_geoman.py --check         # offline: files match VERSION.json
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

PACKAGE = "@geoman-io/leaflet-geoman-free"
TARGET = Path(__file__).resolve().parents[1] / "app" / "static" / "vendor" / "leaflet-geoman"
MANIFEST = TARGET / "VERSION.json"
#: tarball member -> file name served
FILES = {
    "package/dist/leaflet-geoman.min.js": "leaflet-geoman.min.js",
    "package/dist/leaflet-geoman.css": "leaflet-geoman.css",
    "package/LICENSE": "LICENSE",
}


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def check() -> list[str]:
    """What differs between the committed files and the manifest (empty: all good)."""
    if not MANIFEST.is_file():
        return [f"{MANIFEST.name} is missing"]
    manifest = json.loads(MANIFEST.read_text())
    problems = []
    for name, digest in manifest["sha256"].items():
        path = TARGET / name
        if not path.is_file():
            problems.append(f"{name} is missing")
        elif sha256(path) != digest:
            problems.append(f"{name} does not match its sha256 in {MANIFEST.name}")
    return problems


def _npm(*args: str, cwd: Path) -> str:
    done = subprocess.run(["npm", *args], cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode:
        sys.exit(f"npm {' '.join(args)} failed: {done.stderr.strip()[:500]}")
    return done.stdout.strip()


def refresh(version: str) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        spec = f"{PACKAGE}@{version}"
        integrity = json.loads(_npm("view", spec, "dist.integrity", "--json", cwd=work))
        tarball = work / _npm("pack", "--silent", spec, cwd=work).splitlines()[-1]
        algorithm, _, expected = integrity.partition("-")
        actual = base64.b64encode(hashlib.new(algorithm, tarball.read_bytes()).digest()).decode()
        if actual != expected:
            sys.exit(f"{tarball.name}: integrity {algorithm}-{actual} is not the registry's")
        TARGET.mkdir(parents=True, exist_ok=True)
        with tarfile.open(tarball) as tar:
            for member, name in FILES.items():
                data = tar.extractfile(member)
                if data is None:
                    sys.exit(f"{member} is not in {tarball.name}")
                (TARGET / name).write_bytes(data.read())
    manifest = {
        "package": PACKAGE,
        "version": version,
        "licence": "MIT",
        "integrity": integrity,
        "sha256": {name: sha256(TARGET / name) for name in FILES.values()},
    }
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")
    print(f"{PACKAGE} {version} -> {TARGET.relative_to(TARGET.parents[3])}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", help="the version to take (default: the pinned one)")
    parser.add_argument("--check", action="store_true", help="verify the files, offline")
    args = parser.parse_args()
    if args.check:
        problems = check()
        for p in problems:
            print(p, file=sys.stderr)
        sys.exit(1 if problems else 0)
    pinned = json.loads(MANIFEST.read_text())["version"] if MANIFEST.is_file() else None
    version = args.version or pinned
    if not version:
        sys.exit("no pinned version yet: give --version")
    refresh(version)


if __name__ == "__main__":
    main()
