"""Zip archives of uploads, checked before anything is extracted.

No absolute paths or `..`, no links, a bounded number of entries, bounded expanded size and
a bounded expansion ratio, per entry and across all entries (a bomb spreads its zeros over
many small entries as easily as over one big one).
"""

from __future__ import annotations

import re
import stat
import zipfile
import zlib
from pathlib import Path

from app.errors import ImportRefused

MAX_ENTRIES = 2000
MAX_UNPACKED = 4 * 1024**3
MAX_RATIO = 200  # uncompressed / compressed, per entry larger than 1 MB, and over the archive
RATIO_FLOOR = 1024**2  # below this a high ratio is harmless (tiny, very regular files)
# A damaged entry (CRC, inflate errors), an unsupported method, a password (RuntimeError).
_DAMAGED = (zipfile.BadZipFile, zlib.error, EOFError, NotImplementedError, RuntimeError)


def safe_extract(archive: Path, into: Path) -> list[Path]:
    """Extract a zip after checking every entry; returns the extracted files."""
    try:
        zf = zipfile.ZipFile(archive)
    except (zipfile.BadZipFile, OSError) as exc:
        raise ImportRefused(f"{archive.name}: not a readable zip archive ({exc})") from None
    with zf:
        entries = zf.infolist()
        if len(entries) > MAX_ENTRIES:
            raise ImportRefused(f"{archive.name}: {len(entries)} entries (at most {MAX_ENTRIES})")
        total = 0
        for e in entries:
            name = e.filename
            parts = Path(name).parts
            if name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name) or ".." in parts:
                raise ImportRefused(f"{archive.name}: unsafe path in archive: {name!r}")
            if stat.S_ISLNK(e.external_attr >> 16):
                raise ImportRefused(f"{archive.name}: links are not allowed: {name!r}")
            total += e.file_size
            if e.file_size > 1024**2 and e.file_size > MAX_RATIO * max(e.compress_size, 1):
                raise ImportRefused(
                    f"{archive.name}: {name!r} expands {MAX_RATIO}x or more (a zip bomb?)"
                )
        if total > MAX_UNPACKED:
            raise ImportRefused(f"{archive.name}: expands to more than {MAX_UNPACKED} bytes")
        packed = sum(e.compress_size for e in entries)
        if total > RATIO_FLOOR and total > MAX_RATIO * max(packed, 1):
            # Many small entries of zeros: each under the per-entry floor, together gigabytes.
            raise ImportRefused(
                f"{archive.name}: {len(entries)} entries expand to {total // 1024**2} MB, "
                f"{MAX_RATIO}x or more their packed size (a zip bomb?)"
            )
        out = []
        for e in entries:
            if e.is_dir():
                continue
            target = into / e.filename
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                _extract_entry(zf, e, target, archive.name)
            except _DAMAGED as exc:
                raise ImportRefused(
                    f"{archive.name}: {e.filename!r} cannot be extracted, the archive is "
                    f"damaged or uses an unsupported format ({exc})"
                ) from None
            out.append(target)
        return out


def _extract_entry(zf: zipfile.ZipFile, e: zipfile.ZipInfo, target: Path, archive: str) -> None:
    with zf.open(e) as src, open(target, "wb") as dst:
        written = 0
        while chunk := src.read(1024 * 1024):
            written += len(chunk)
            if written > e.file_size:  # the header lied about the size
                raise ImportRefused(f"{archive}: {e.filename!r} is larger than its header says")
            dst.write(chunk)
