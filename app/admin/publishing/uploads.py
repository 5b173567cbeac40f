"""The upload form of the import page: the saved file and the ImportOptions, checked.

Nothing here trusts the browser: the file name is reduced to a safe basename with a known
suffix, saved into a fresh temporary directory (removed after the import), and every text
field is checked before `import_file` sees it. Problems raise `ImportRefused`, whose message
the form shows again with nothing changed.
"""

from __future__ import annotations

import re
import secrets
import shutil
import tempfile
import time
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pyproj.exceptions import CRSError
from werkzeug.datastructures import FileStorage, MultiDict

from app.geo.crs import parse_crs
from app.publishing.importer import ImportOptions
from app.publishing.readers import ImportRefused
from app.registry.spec import FIELD_NAME, LAYER_ID

#: What the form accepts (the readers decide for real; this gives an early, clear message).
SUFFIXES = (".zip", ".gpkg", ".geojson", ".json", ".csv", ".kml", ".kmz")

#: The CRS select of the form: the systems the SIT office's files come in.
CRS_CHOICES: tuple[tuple[str, str], ...] = (
    ("EPSG:3003", "Monte Mario / Italy zone 1 (Gauss-Boaga Ovest)"),
    ("EPSG:3004", "Monte Mario / Italy zone 2 (Gauss-Boaga Est)"),
    ("EPSG:7791", "RDN2008 / UTM zone 32N (E, N)"),
    ("EPSG:7792", "RDN2008 / UTM zone 33N (E, N)"),
    ("EPSG:6707", "RDN2008 / UTM zone 32N (N, E)"),
    ("EPSG:32632", "WGS 84 / UTM zone 32N"),
    ("EPSG:32633", "WGS 84 / UTM zone 33N"),
    ("EPSG:25832", "ETRS89 / UTM zone 32N"),
    ("EPSG:4326", "WGS 84 (lon/lat)"),
    ("EPSG:3857", "WGS 84 / Pseudo-Mercator"),
)


def safe_filename(name: str | None) -> str:
    """A basename safe to write: ASCII letters, digits, `._-`, a supported suffix.

    The browser's name only ever picks the suffix (the readers dispatch on it) and a
    readable stem for the report; directories, `..`, control and odd characters go.
    """
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = unicodedata.normalize("NFKD", base).encode("ascii", "ignore").decode()
    stem, dot, suffix = base.rpartition(".")
    suffix = f".{suffix.lower()}" if dot else ""
    if suffix not in SUFFIXES:
        shown = (name or "").rsplit("/", 1)[-1][:80] or "(senza nome)"
        raise ImportRefused(
            f"{shown}: tipo di file non supportato. Usa uno shapefile zippato (.zip), "
            "GeoPackage, GeoJSON, CSV, KML o KMZ. / Unsupported file type."
        )
    stem = re.sub(r"[^A-Za-z0-9_-]+", "_", stem).strip("._-")[:60] or "dati"
    return stem + suffix


@contextmanager
def saved_upload(upload: FileStorage | None) -> Iterator[Path]:
    """Save the uploaded file into a fresh temporary directory; removed on exit."""
    if upload is None or not upload.filename:
        raise ImportRefused("Scegli un file da importare. / Choose a file to import.")
    name = safe_filename(upload.filename)
    tmp = Path(tempfile.mkdtemp(prefix="geoportale-upload-"))
    try:
        target = tmp / name
        upload.save(target)
        if target.stat().st_size == 0:
            raise ImportRefused(f"{name}: il file è vuoto. / The file is empty.")
        yield target
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def parse_crs_field(value: str) -> str | None:
    """'EPSG:3003' (also '3003', 'epsg:3003'), any CRS PROJ knows, or None when empty."""
    value = value.strip()
    if not value:
        return None
    if value.isdigit():
        value = f"EPSG:{value}"
    if re.fullmatch(r"(?i)epsg:\d+", value):
        value = value.upper()
    try:
        parse_crs(value)
    except CRSError:
        raise ImportRefused(
            f"CRS {value[:60]!r} sconosciuto: scrivi ad esempio EPSG:3003. / Unknown CRS."
        ) from None
    return value


def parse_renames_field(text: str) -> dict[str, str]:
    """`SOURCE=FIELD` pairs, one a line or separated by commas."""
    out: dict[str, str] = {}
    for raw in re.split(r"[\n,]", text):
        item = raw.strip()
        if not item:
            continue
        src, sep, dst = (p.strip() for p in item.partition("="))
        if not sep or not src or not FIELD_NAME.match(dst):
            raise ImportRefused(
                f"Rinomina {item[:60]!r}: scrivi CAMPO_FILE=campo_layer. / Write SOURCE=FIELD."
            )
        out[src] = dst
    return out


def import_options(form: MultiDict) -> ImportOptions:
    """ImportOptions from the import form; ImportRefused naming the bad field."""
    layer_id = form.get("layer_id", "").strip()
    if not LAYER_ID.match(layer_id):
        raise ImportRefused(
            "Id del layer: lettere minuscole, cifre e _ (inizia con una lettera). "
            "/ Layer id: lowercase letters, digits and _."
        )
    crs = form.get("crs_other", "").strip() or form.get("crs", "").strip()
    id_field = form.get("id_field", "").strip() or None
    if id_field and not FIELD_NAME.match(id_field):
        raise ImportRefused("Campo id non valido. / Invalid id field name.")
    return ImportOptions(
        layer_id,
        layer=form.get("layer", "").strip() or None,
        crs=parse_crs_field(crs),
        title=form.get("title", "").strip() or None,
        id_field=id_field,
        renames=parse_renames_field(form.get("renames", "")),
        licence=form.get("licence", "").strip() or None,
        publish=form.get("publish") == "1",
    )


# -- uploads kept between two requests (bulk placement: report, then write) --------------

#: How long a kept upload waits for its second step before it is removed.
KEPT_SECONDS = 3600
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{22}$")


def _kept_root() -> Path:
    return Path(tempfile.gettempdir()) / "geoportale-kept-uploads"


def keep_upload(upload: FileStorage | None) -> tuple[str, Path]:
    """Save the upload under a fresh random token (a private directory) until `drop_upload`
    or for KEPT_SECONDS; (token, path). Older kept uploads are removed here."""
    if upload is None or not upload.filename:
        raise ImportRefused("Scegli un file. / Choose a file.")
    name = safe_filename(upload.filename)
    root = _kept_root()
    root.mkdir(mode=0o700, exist_ok=True)
    cutoff = time.time() - KEPT_SECONDS
    for old in root.iterdir():
        if old.stat().st_mtime < cutoff:
            shutil.rmtree(old, ignore_errors=True)
    token = secrets.token_urlsafe(16)
    folder = root / token
    folder.mkdir(mode=0o700)
    target = folder / name
    upload.save(target)
    if target.stat().st_size == 0:
        shutil.rmtree(folder, ignore_errors=True)
        raise ImportRefused(f"{name}: il file è vuoto. / The file is empty.")
    return token, target


def kept_upload(token: str) -> Path | None:
    """The file kept under `token`, or None (unknown, malformed or expired)."""
    if not _TOKEN.match(token or ""):
        return None
    folder = _kept_root() / token
    files = [f for f in folder.iterdir() if f.is_file()] if folder.is_dir() else []
    if len(files) != 1 or files[0].stat().st_mtime < time.time() - KEPT_SECONDS:
        return None
    return files[0]


def drop_upload(token: str) -> None:
    """Remove the file kept under `token` (nothing if there is none)."""
    if _TOKEN.match(token or ""):
        shutil.rmtree(_kept_root() / token, ignore_errors=True)
