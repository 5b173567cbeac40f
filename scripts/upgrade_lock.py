"""Upgrade the lock on purpose: re-resolve, run the suite on the result, keep it only if green.

`requirements.txt` lists the direct dependencies with the ranges we accept;
`requirements.lock` pins the whole tree the suite last passed with, and every install (the
README's, `.ci/run`'s) is from the lock. This script is the one way the lock changes:

    python3 scripts/upgrade_lock.py                   # newest within the ranges; kept if green
    python3 scripts/upgrade_lock.py --package folium  # only that package (and what it needs)
    python3 scripts/upgrade_lock.py --check           # report only, never write the lock
    python3 scripts/upgrade_lock.py --beyond-ranges   # also try releases past our upper bounds

Each candidate is installed in a new virtualenv (uv, from the lock file alone) and the
README's test command runs inside it. When the suite fails, each changed package is tried
alone on top of the current lock against the failing tests, so the report says which
release breaks which test: an upgrade is a decision, never an accident.
`--beyond-ranges` reports whether an upper bound (e.g. `pytest<9`) can be lifted; it never
writes a lock that the ranges forbid.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
REQUIREMENTS = ROOT / "requirements.txt"
LOCK = ROOT / "requirements.lock"
PYTHON_VERSION = "3.11"
#: The README's test command (run inside the candidate's virtualenv).
TEST_COMMAND = ["-m", "pytest", "-q", "-n", "2", "-p", "no:cacheprovider"]
_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([^\s;#]+)")


def _uv() -> str:
    try:
        import uv  # noqa: PLC0415  (installed from the lock: requirements.txt lists it)
    except ImportError:
        sys.exit("uv is not installed: pip install -r requirements.lock (it lists uv)")
    return uv.find_uv_bin()


def pins(lock: Path) -> dict[str, str]:
    """Package name (normalised) -> pinned version, read from a lock file."""
    found = {}
    for line in lock.read_text().splitlines():
        match = _PIN.match(line.strip())
        if match:
            found[re.sub(r"[-_.]+", "-", match[1]).lower()] = match[2]
    return found


def compile_lock(requirements: Path, out: Path, *, upgrade: list[str] | None, seed: Path | None):
    """Resolve `requirements` into `out`; `seed` (a lock) is kept except for `upgrade`."""
    if seed is not None:
        out.write_text(seed.read_text())
    cmd = [
        _uv(),
        "pip",
        "compile",
        str(requirements),
        "-o",
        str(out),
        "--quiet",
        "--python-version",
        PYTHON_VERSION,
        "--annotation-style",
        "line",
        "--custom-compile-command",
        "python3 scripts/upgrade_lock.py",
    ]
    if upgrade is None:
        cmd.append("--upgrade")
    else:
        for name in upgrade:
            cmd += ["--upgrade-package", name]
    subprocess.run(cmd, check=True, cwd=ROOT)


def relaxed_requirements(dest: Path) -> Path:
    """requirements.txt with every upper bound dropped (`>=8,<9` -> `>=8`; `==x` kept)."""
    lines = []
    for line in REQUIREMENTS.read_text().splitlines():
        spec, _, _comment = line.partition("#")
        spec = re.sub(r",?\s*<=?\s*[^,\s]+", "", spec).replace(">=,", ">=")
        lines.append(spec.rstrip())
    dest.write_text("\n".join(lines) + "\n")
    return dest


def checkout_with(lock: Path, requirements: Path, work: Path) -> Path:
    """A copy of the working tree whose requirements and lock are the candidate's.

    The suite checks the lock against the list (tests/test_lock.py), so it must see the
    candidate, never the files it is being compared with. `../shared` is linked beside the
    copy, so the tests that check facts against the seeds run as in the checkout.
    """
    tree = work / "tree" / lock.stem
    if tree.exists():
        shutil.rmtree(tree)
    ignore = shutil.ignore_patterns(
        ".git", "instance", "__pycache__", ".pytest_cache", ".artifacts"
    )
    shutil.copytree(ROOT, tree, ignore=ignore)
    shutil.copyfile(lock, tree / LOCK.name)
    shutil.copyfile(requirements, tree / REQUIREMENTS.name)
    shared = work / "tree" / "shared"
    if (ROOT.parent / "shared").exists() and not shared.exists():
        shared.symlink_to(ROOT.parent / "shared")
    return tree


def run_suite(
    lock: Path, requirements: Path, venv: Path, tests: list[str] | None = None
) -> tuple[bool, list[str]]:
    """Install `lock` alone into `venv` and run the tests on a copy of the tree holding it.

    Returns (green, failing test ids).
    """
    tree = checkout_with(lock, requirements, venv.parent)
    if not venv.exists():
        subprocess.run(
            [_uv(), "venv", "--quiet", "--python", sys.executable, str(venv)], check=True
        )
    python = venv / "bin" / "python"
    subprocess.run(
        [_uv(), "pip", "sync", "--quiet", "--python", str(python), str(lock)], check=True
    )
    done = subprocess.run(
        [str(python), *TEST_COMMAND, *(tests or [])], cwd=tree, capture_output=True, text=True
    )
    out = done.stdout.strip().splitlines()
    print(out[-1] if out else done.stderr[-500:])
    # The short summary (-ra in pyproject.toml): "FAILED tests/x.py::name - reason".
    failing = [line.split()[1] for line in out if line.startswith(("FAILED ", "ERROR "))]
    return done.returncode == 0, failing


def changes(old: dict[str, str], new: dict[str, str]) -> list[tuple[str, str, str]]:
    names = sorted(set(old) | set(new))
    return [(n, old.get(n, "-"), new.get(n, "-")) for n in names if old.get(n) != new.get(n)]


def culprits(changed, failing, requirements: Path, work: Path) -> list[str]:
    """Each changed package alone on top of the current lock, against the failing tests."""
    lines = []
    for name, old, new in changed:
        if new == "-":
            continue
        alone = work / f"only-{name}.lock"
        try:
            compile_lock(requirements, alone, upgrade=[f"{name}=={new}"], seed=LOCK)
        except subprocess.CalledProcessError:
            alone.write_text("")
        if pins(alone).get(name) != new:
            lines.append(f"  {name} {new}: not installable with the other pins")
            continue
        green, still = run_suite(alone, requirements, work / "venv-bisect", failing)
        verdict = "passes" if green else "BREAKS " + ", ".join(still or failing)
        lines.append(f"  {name} {old} -> {new}: {verdict}")
    return lines


def attempt(label: str, requirements: Path, work: Path, args) -> tuple[bool, Path | None]:
    candidate = work / f"{label}.lock"
    compile_lock(
        requirements,
        candidate,
        upgrade=args.package or None,
        seed=None if not args.package else LOCK,
    )
    changed = changes(pins(LOCK), pins(candidate))
    print(f"\n== {label}: {len(changed)} change(s)")
    for name, old, new in changed:
        print(f"  {name:28} {old:>12} -> {new}")
    if not changed:
        return True, None
    green, failing = run_suite(candidate, requirements, work / f"venv-{label}")
    if green:
        print(f"{label}: the suite passes on the candidate")
        return True, candidate
    print(f"{label}: the suite FAILS ({len(failing)} test(s)); trying each change alone:")
    print("\n".join(culprits(changed, failing, requirements, work)))
    return False, None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--package", action="append", help="upgrade only this package")
    parser.add_argument("--check", action="store_true", help="report only; keep the lock")
    parser.add_argument(
        "--beyond-ranges",
        action="store_true",
        help="also try the newest releases past requirements.txt's upper bounds",
    )
    args = parser.parse_args(argv)
    started_with = (REQUIREMENTS.read_text(), LOCK.read_text())
    with tempfile.TemporaryDirectory(prefix="geoportale-lock-") as tmp:
        work = Path(tmp)
        green, candidate = attempt("within-ranges", REQUIREMENTS, work, args)
        if candidate is not None and not args.check:
            if (REQUIREMENTS.read_text(), LOCK.read_text()) != started_with:
                # Someone changed the list or the lock while the suite ran: the candidate
                # was tested against the old one and would silently undo that change.
                print("requirements.txt or requirements.lock changed during the run: not written")
                return 1
            LOCK.write_text(candidate.read_text())
            print(f"requirements.lock updated: review `git diff {LOCK.name}` and commit it")
        elif not green:
            print("requirements.lock kept as it was")
        if args.beyond_ranges:
            attempt("beyond-ranges", relaxed_requirements(work / "relaxed.txt"), work, args)
    return 0 if green else 1


if __name__ == "__main__":
    sys.exit(main())
