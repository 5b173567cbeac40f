"""The lock pins the whole tree, and agrees with the ranges of requirements.txt.

An edit to requirements.txt that is not followed by `python3 scripts/upgrade_lock.py` fails
here, instead of on the next fresh machine.
"""

import re
from importlib import metadata
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

ROOT = Path(__file__).resolve().parents[1]


def _requirements() -> list[Requirement]:
    lines = (ROOT / "requirements.txt").read_text().splitlines()
    specs = [line.split("#", 1)[0].strip() for line in lines]
    return [Requirement(spec) for spec in specs if spec]


def _lock() -> dict[str, str]:
    pins = {}
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        spec = line.split("#", 1)[0].strip()
        if not spec:
            continue
        match = re.fullmatch(r"([A-Za-z0-9_.\-]+)(\[[^\]]*\])?==([^\s;]+)", spec)
        assert match, f"requirements.lock: not an exact pin: {line!r}"
        pins[canonicalize_name(match[1])] = match[3]
    return pins


def test_every_direct_dependency_is_pinned_within_its_range():
    pins = _lock()
    for requirement in _requirements():
        name = canonicalize_name(requirement.name)
        assert name in pins, f"{requirement.name} is in requirements.txt but not in the lock"
        assert requirement.specifier.contains(pins[name], prereleases=True), (
            f"the lock pins {requirement.name}=={pins[name]}, outside {requirement.specifier}: "
            "run python3 scripts/upgrade_lock.py"
        )


def test_the_lock_holds_what_each_pinned_package_needs():
    """The lock is the whole tree: every runtime requirement of a pinned package is pinned."""
    pins = _lock()
    missing = []
    for name in pins:
        try:
            requires = metadata.requires(name) or []
        except metadata.PackageNotFoundError:
            pytest.skip(f"{name} is not installed here: not an install from the lock")
        for spec in requires:
            needed = Requirement(spec)
            if needed.marker and not needed.marker.evaluate({"extra": ""}):
                continue
            if canonicalize_name(needed.name) not in pins:
                missing.append(f"{name} needs {needed.name}")
    assert not missing, missing


def test_this_environment_is_the_lock():
    """Run from an install of the lock (README, .ci/run), every installed pin matches it."""
    mismatched = []
    for name, version in _lock().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            pytest.skip(f"{name} is not installed here: not an install from the lock")
        if installed != version:
            mismatched.append(f"{name} {installed} (lock: {version})")
    assert not mismatched, mismatched
