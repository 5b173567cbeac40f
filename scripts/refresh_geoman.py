"""Refresh or check the pinned copy of Leaflet-Geoman (free edition) in app/static/vendor.

No Python package ships Leaflet-Geoman, so the geoportal serves a pinned copy taken from its
npm package (`@geoman-io/leaflet-geoman-free`, MIT): the built script, its stylesheet and its
licence, with a manifest (`VERSION.json`) recording the package, its version, the registry's
tarball integrity and the sha256 of every copied file.

    python3 scripts/refresh_geoman.py                  # the pinned version (VERSION.json)
    python3 scripts/refresh_geoman.py --version 2.20.2 # another version (check peerDependencies)
    python3 scripts/refresh_geoman.py --check          # offline: files match the manifest

A refresh runs `npm view` (the registry's integrity) and `npm pack` into a temporary
directory (no node_modules anywhere), checks the tarball against the registry's sha512 and
sha1, and copies the files out. Only the Python standard library and npm are used.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET = ROOT / "app" / "static" / "vendor" / "leaflet-geoman"
MANIFEST = "VERSION.json"
PACKAGE = "@geoman-io/leaflet-geoman-free"
#: what we copy: name in our directory -> member of the npm tarball
FILES = {
    "leaflet-geoman.min.js": "package/dist/leaflet-geoman.min.js",
    "leaflet-geoman.css": "package/dist/leaflet-geoman.css",
    "LICENSE": "package/LICENSE",
}


class RefreshError(Exception):
    """Something did not match: the message says what."""


def sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_manifest(target: Path = TARGET) -> dict:
    return json.loads((target / MANIFEST).read_text(encoding="utf-8"))


def manifest_bytes(manifest: dict) -> bytes:
    """The manifest as written: sorted keys, two-space indent, final newline (stable diffs)."""
    return (json.dumps(manifest, indent=2, sort_keys=True, ensure_ascii=False) + "\n").encode()


def check(target: Path = TARGET) -> list[str]:
    """Problems of the committed copy against its manifest (empty: all good). No network."""
    try:
        manifest = read_manifest(target)
    except (OSError, ValueError) as exc:
        return [f"{target / MANIFEST}: unreadable manifest: {exc}"]
    problems = []
    listed = manifest.get("files", {})
    for name, entry in sorted(listed.items()):
        path = target / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif sha256(path.read_bytes()) != entry.get("sha256"):
            problems.append(f"{name}: sha256 differs from {MANIFEST}")
    extra = sorted(p.name for p in target.iterdir() if p.name not in listed and p.name != MANIFEST)
    problems += [f"{name}: not in {MANIFEST}" for name in extra]
    return problems


def _npm(*args: str, cwd: Path | None = None) -> str:
    try:
        done = subprocess.run(
            ["npm", *args], cwd=cwd, check=True, capture_output=True, text=True, timeout=300
        )
    except FileNotFoundError:
        raise RefreshError("npm is not installed") from None
    except subprocess.CalledProcessError as exc:
        raise RefreshError(f"npm {' '.join(args)} failed: {exc.stderr.strip()}") from None
    return done.stdout


def registry_dist(version: str) -> dict:
    """The registry's `dist` record of the version: tarball URL, sha512 integrity, sha1."""
    out = _npm("view", f"{PACKAGE}@{version}", "dist", "--json")
    dist = json.loads(out or "null")
    if not isinstance(dist, dict) or "integrity" not in dist:
        raise RefreshError(f"{PACKAGE}@{version}: no such version on the registry")
    return dist


def verify_tarball(data: bytes, dist: dict) -> None:
    """The tarball is the one the registry describes (sha512 integrity and sha1 shasum)."""
    algo, _, digest = dist["integrity"].partition("-")
    if algo != "sha512":
        raise RefreshError(f"unexpected integrity algorithm {algo!r}")
    ours = base64.b64encode(hashlib.sha512(data).digest()).decode()
    if ours != digest:
        raise RefreshError("tarball sha512 does not match the registry's integrity")
    if dist.get("shasum") and hashlib.sha1(data).hexdigest() != dist["shasum"]:
        raise RefreshError("tarball sha1 does not match the registry's shasum")


def _member(tar: tarfile.TarFile, name: str) -> bytes:
    member = tar.getmember(name)  # KeyError when the package changed its layout
    if not member.isfile():
        raise RefreshError(f"{name}: not a regular file in the tarball")
    return tar.extractfile(member).read()


def refresh(version: str, target: Path = TARGET) -> dict:
    """Fetch `version`, verify it, replace the copy in `target`; returns the new manifest."""
    dist = registry_dist(version)
    with tempfile.TemporaryDirectory(prefix="geoman-") as tmp:
        out = _npm("pack", f"{PACKAGE}@{version}", "--json", "--pack-destination", tmp, cwd=tmp)
        tarball = Path(tmp) / json.loads(out)[0]["filename"]
        data = tarball.read_bytes()
        verify_tarball(data, dist)
        with tarfile.open(tarball, "r:gz") as tar:
            package = json.loads(_member(tar, "package/package.json"))
            copied = {name: _member(tar, member) for name, member in FILES.items()}
    if package.get("name") != PACKAGE or package.get("version") != version:
        raise RefreshError(f"tarball holds {package.get('name')}@{package.get('version')}")
    manifest = {
        "package": PACKAGE,
        "version": version,
        "licence": package.get("license"),
        "peerDependencies": package.get("peerDependencies", {}),
        # bundled into dist/ by the package's build, without their own licence texts
        "bundles": package.get("dependencies", {}),
        "tarball": dist.get("tarball"),
        "integrity": dist["integrity"],
        "shasum": dist.get("shasum"),
        "files": {
            name: {"from": FILES[name], "sha256": sha256(body)} for name, body in copied.items()
        },
        "refresh": "python3 scripts/refresh_geoman.py [--version X]",
    }
    if target.exists():
        shutil.rmtree(target)
    target.mkdir(parents=True)
    for name, body in copied.items():
        (target / name).write_bytes(body)
    (target / MANIFEST).write_bytes(manifest_bytes(manifest))
    return manifest


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--version", help="the npm version to take (default: the pinned one)")
    parser.add_argument("--check", action="store_true", help="verify the copy offline")
    args = parser.parse_args(argv)
    if args.check:
        problems = check()
        for p in problems:
            print(f"leaflet-geoman: {p}", file=sys.stderr)
        if not problems:
            m = read_manifest()
            print(f"leaflet-geoman {m['version']}: {len(m['files'])} files match {MANIFEST}")
        return 1 if problems else 0
    version = args.version or read_manifest()["version"]
    try:
        manifest = refresh(version)
    except (RefreshError, KeyError) as exc:
        print(f"leaflet-geoman: {exc}", file=sys.stderr)
        return 1
    print(f"leaflet-geoman {manifest['version']} copied to {TARGET.relative_to(ROOT)}")
    print(f"peerDependencies: {manifest['peerDependencies']} (the viewer serves XStatic-Leaflet)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
