"""A corpus of broken and hostile input files, generated (seeded, nothing committed).

    for case in corpus(tmp_dir): case.name, case.filename, case.data, case.options

Every case must be refused with a clear message and change nothing: archives that are not
zips or are truncated, corrupted, bombs, or hold `../`, absolute or linked entries;
shapefiles missing parts; unknown and lying CRSs; NaN, infinite and absurd coordinates;
text that is not UTF-8; JSON that is not JSON or not GeoJSON; CSVs with the wrong columns;
broken KML/KMZ/GeoPackage; values of 10 MB; bad layer ids and options; files that would make
GDAL read other files or URLs (virtual.py: a disguised VRT reads a secret holding CANARY).
"""

from __future__ import annotations

import io
import json
import random
import sqlite3
import stat
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import pyogrio
import shapely

from scripts.reliability.virtual import REFUSED, spread_bomb, virtual_files, write_secret

LAYER_ID = "ostile"
#: Written into a server-side file that hostile uploads point at: a response showing it leaks.
CANARY = "GEOPORTALE-CANARY-SEGRETO-7f3a"


@dataclass
class Case:
    category: str
    name: str
    filename: str
    data: bytes
    options: dict = field(default_factory=dict)  # layer_id, crs, layer, id_field, rename


def _points(crs: str = "EPSG:4326", n: int = 3) -> gpd.GeoDataFrame:
    gdf = gpd.GeoDataFrame(
        {"codice": list(range(1, n + 1)), "nome": [f"Punto {i}" for i in range(n)]},
        geometry=[shapely.Point(10.02 + i / 1000, 45.13) for i in range(n)],
        crs="EPSG:4326",
    )
    return gdf.to_crs(crs)


def _zip(entries: dict[str, bytes], method=zipfile.ZIP_DEFLATED) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", method) as zf:
        for name, content in entries.items():
            zf.writestr(name, content)
    return buf.getvalue()


def _shapefile_parts(work: Path, crs: str = "EPSG:3003") -> dict[str, bytes]:
    folder = work / f"shp-{crs.replace(':', '')}"
    if not folder.exists():
        folder.mkdir(parents=True)
        pyogrio.write_dataframe(_points(crs), folder / "dati.shp")
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir())}


def _fc(features) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": features}).encode()


def _feature(coords, geom_type="Point", **props) -> dict:
    return {
        "type": "Feature",
        "properties": {"codice": 1, "nome": "x", **props},
        "geometry": {"type": geom_type, "coordinates": coords},
    }


def _archives(work: Path, rng: random.Random) -> list[Case]:
    parts = _shapefile_parts(work)
    good = _zip(parts)
    out = [Case("zip", f"random bytes {n}", "dati.zip", rng.randbytes(n)) for n in (1, 22, 4096)]
    out += [Case("zip", "zip magic only", "dati.zip", b"PK\x03\x04" + rng.randbytes(64))]
    out += [
        Case("zip", f"truncated at {f:.0%}", "dati.zip", good[: int(len(good) * f)])
        for f in (0.05, 0.2, 0.35, 0.5, 0.65, 0.8, 0.9, 0.97, 0.99)
    ]
    spans = []  # where each entry's compressed data lies: corrupting it must be noticed
    with zipfile.ZipFile(io.BytesIO(good)) as zf:
        for info in zf.infolist():
            start = info.header_offset + 30 + len(info.filename.encode()) + len(info.extra)
            spans.append((start, start + info.compress_size))
    for k in range(16):
        data = bytearray(good)
        lo, hi = spans[k % len(spans)]
        pos = rng.randrange(lo, max(lo + 1, hi - 4))
        data[pos : pos + 4] = bytes(b ^ 0xFF for b in data[pos : pos + 4])
        out.append(Case("zip", f"corrupted data #{k}", "dati.zip", bytes(data)))
    shp_only = {k: v for k, v in parts.items() if k.endswith((".shx", ".dbf"))}
    out += [
        Case("zip", "empty zip", "dati.zip", _zip({})),
        Case("zip", "only a readme", "dati.zip", _zip({"LEGGIMI.txt": b"ciao"})),
        Case("zip", "no .shp inside", "dati.zip", _zip(shp_only)),
        Case("zip", "nested zip", "dati.zip", _zip({"inner.zip": good})),
        Case("zip", "directories only", "dati.zip", _zip({"a/": b"", "a/b/": b""})),
        Case(
            "zip",
            "two shapefiles, no layer chosen",
            "dati.zip",
            _zip({**parts, **{k.replace("dati", "altri"): v for k, v in parts.items()}}),
        ),
        Case("zip", "layer not in archive", "dati.zip", good, {"layer": "nessuno"}),
    ]
    # Bombs: a very high ratio, a header that lies about sizes, too many entries.
    out.append(Case("bomb", "50 MB of zeros", "bomb.zip", _zip({"dati.shp": b"\0" * 50 * 2**20})))
    out.append(Case("bomb", "header lies about size", "liar.zip", _lying_zip(parts)))
    many = {f"f{i}.txt": b"x" for i in range(2100)}
    out.append(Case("bomb", "2100 entries", "many.zip", _zip(many, zipfile.ZIP_STORED)))
    out.append(Case("bomb", "zip of zips", "nested.zip", _zip({"a.zip": _zip({"b.zip": good})})))
    for name in (
        "../dati.shp",
        "../../../../tmp/evil.shp",
        "/etc/evil.shp",
        "/tmp/dati.shp",
        "C:/Windows/evil.shp",
        "c:\\evil.shp",
        "a/../../evil.shp",
        "ok/../../../evil.shp",
        "\\\\server\\share\\evil.shp",
    ):
        out.append(Case("traversal", f"entry {name}", "evil.zip", _zip({name: parts["dati.shp"]})))
    out.append(Case("traversal", "symlink entry", "link.zip", _symlink_zip()))
    for missing in ((".shx",), (".dbf",), (".shx", ".dbf"), (".prj",), (".prj", ".cpg")):
        kept = {k: v for k, v in parts.items() if not k.endswith(missing)}
        out.append(Case("shapefile", f"missing {'+'.join(missing)}", "dati.zip", _zip(kept)))
    for part in (".shp", ".shx"):
        broken = {k: (rng.randbytes(len(v)) if k.endswith(part) else v) for k, v in parts.items()}
        out.append(Case("shapefile", f"garbage {part}", "dati.zip", _zip(broken)))
    lying = {**parts, "dati.prj": _shapefile_parts(work, "EPSG:4326")["dati.prj"]}
    out.append(Case("crs", ".prj says WGS84, coordinates in metres", "dati.zip", _zip(lying)))
    out.append(
        Case("crs", ".prj is garbage", "dati.zip", _zip({**parts, "dati.prj": b"GEOGCS[??"}))
    )
    return out


def _lying_zip(parts: dict[str, bytes]) -> bytes:
    """A zip whose headers claim 10 bytes for a 2 MB entry (compressed well under the ratio)."""
    body = random.Random(1).randbytes(2 * 2**20)
    data = bytearray(_zip({"dati.shp": body, "dati.shx": parts["dati.shx"]}, zipfile.ZIP_STORED))
    marker = b"dati.shp"
    for sig, offset in ((b"PK\x01\x02", 24), (b"PK\x03\x04", 22)):  # uncompressed size fields
        pos = data.find(sig)
        while pos != -1:
            if data[pos + (46 if sig == b"PK\x01\x02" else 30) :].startswith(marker):
                data[pos + offset : pos + offset + 4] = (10).to_bytes(4, "little")
            pos = data.find(sig, pos + 4)
    return bytes(data)


def _symlink_zip() -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        info = zipfile.ZipInfo("dati.shp")
        info.external_attr = (stat.S_IFLNK | 0o777) << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


def _json_cases(rng: random.Random) -> list[Case]:
    good = _fc([_feature([10.02, 45.13])])
    out = [
        Case("not-json", f"truncated at {f:.0%}", "dati.geojson", good[: int(len(good) * f)])
        for f in (0.1, 0.3, 0.5, 0.7, 0.9, 0.98)
    ]
    for name, data in {
        "random bytes": rng.randbytes(3000),
        "empty": b"",
        "whitespace": b"   \n\t ",
        "xml": b"<?xml version='1.0'?><FeatureCollection/>",
        "latin-1 text": '{"type": "FeatureCollection", "nome": "Città"}'.encode("latin-1"),
        "utf-16 without BOM": good.decode().encode("utf-16-le"),
        "single quotes": good.replace(b'"', b"'"),
        "trailing garbage": good + b"}}}",
        "deep nesting": b"[" * 100000 + b"]" * 100000,
        "deep object nesting": b'{"a":' * 50000 + b"1" + b"}" * 50000,
        "NUL bytes": b"\0" * 1000,
        "html": b"<html><body>404</body></html>",
    }.items():
        out.append(Case("not-json", name, "dati.geojson", data))
    not_geo = {
        "null": None,
        "number": 42,
        "string": "FeatureCollection",
        "list": [1, 2, 3],
        "empty object": {},
        "wrong type": {"type": "Topology", "objects": {}},
        "bare geometry": {"type": "Point", "coordinates": [10, 45]},
        "no features": {"type": "FeatureCollection"},
        "features is a string": {"type": "FeatureCollection", "features": "many"},
        "features is an object": {"type": "FeatureCollection", "features": {"a": 1}},
        "empty features": {"type": "FeatureCollection", "features": []},
        "geometry type bogus": json.loads(_fc([_feature([10, 45], "Bogus")])),
        "coordinates are strings": json.loads(_fc([_feature(["10", "45"])])),
        "coordinates too deep": json.loads(_fc([_feature([[[[[10, 45]]]]])])),
        "coordinates empty list": json.loads(_fc([_feature([])])),
        "polygon not closed, 2 points": json.loads(
            _fc([_feature([[[10, 45], [11, 45]]], "Polygon")])
        ),
        "feature without type": {"type": "FeatureCollection", "features": [{"geometry": None}]},
        "features are numbers": {"type": "FeatureCollection", "features": [1, 2]},
    }
    for name, doc in not_geo.items():
        out.append(Case("not-geojson", name, "dati.geojson", json.dumps(doc).encode()))
    for name, coords in {
        "NaN": [float("nan"), 45.13],
        "Infinity": [float("inf"), 45.13],
        "-Infinity": [10.02, float("-inf")],
        "1e400 (overflows)": "1e400",
        "1e300": [1e300, 1e300],
        "lon 720": [720.0, 45.13],
        "lat -1000": [10.0, -1000.0],
    }.items():
        if isinstance(coords, str):
            data = _fc([_feature([0, 0])]).replace(b"[0, 0]", b"[1e400, 45]")
        else:
            data = json.dumps(json.loads(_fc([_feature(coords)])), allow_nan=True).encode()
        out.append(Case("coordinates", f"coordinate {name}", "dati.geojson", data))
    nan_ring = [[[10.0, 45.1], [float("nan"), 45.1], [10.1, 45.2], [10.0, 45.1]]]
    out.append(
        Case(
            "coordinates", "NaN in a polygon", "dati.geojson", _fc([_feature(nan_ring, "Polygon")])
        )
    )
    out.append(
        Case(
            "coordinates",
            "NaN in one of 1000 points",
            "dati.geojson",
            _fc(
                [
                    _feature([10.02, 45.13 if i != 500 else float("nan")], codice=i)
                    for i in range(1000)
                ]
            ),
        )
    )
    out.append(
        Case(
            "size",
            "a 10 MB property",
            "dati.geojson",
            _fc([_feature([10.02, 45.13], testo="x" * 10 * 2**20)]),
        )
    )
    dup = [_feature([10.02, 45.13]), _feature([10.03, 45.13])]
    out.append(Case("ids", "duplicate ids", "dati.geojson", _fc(dup), {"id_field": "codice"}))
    out.append(Case("ids", "id field not in file", "dati.geojson", good, {"id_field": "manca"}))
    return out


def _csv_cases() -> list[Case]:
    rows = {
        "no coordinate columns": "nome;tipo\nA;1\nB;2\n",
        "only a header": "lon,lat,nome\n",
        "empty": "",
        "lon/lat not numbers": "lon,lat,nome\nabc,def,A\n",
        "lat missing a value only": "lon,lat\n10.02,\n10.03,x\n",
        "x/y without a CRS": "x,y,nome\n1580000,5000000,A\n",
        "invalid WKT": "wkt,nome\nPOINT(10 45,A\n",
        "WKT of garbage": "wkt,nome\nhello world,A\n",
        "lon NaN": "lon,lat\nnan,45.1\n",
        "lon inf": "lon,lat\ninf,45.1\n",
        "lon 1e999": "lon,lat\n1e999,45.1\n",
        "lat 91": "lon,lat\n10,91\n10,-95\n",
        "binary": "\x00\x01\x02\x03" * 100,
        "unbalanced quotes": 'lon,lat,nome\n10,45,"aperta\n10,45,b\n',
        "WKT with NaN": "wkt\nPOINT (nan 45)\n",
        "WKT empty everywhere": "wkt,nome\n,A\n,B\n",
        "x/y in lon/lat with --crs 3003": "x,y\n10.02,45.13\n",
        "lon/lat swapped far away": "lon,lat\n45.13,10.02\n",
        "one million columns header": ",".join(f"c{i}" for i in range(200000)) + "\n",
    }
    out = []
    for name, text in rows.items():
        opts = {"crs": "EPSG:3003"} if "crs 3003" in name else {}
        out.append(Case("csv", name, "dati.csv", text.encode("utf-8"), opts))
        for sep, label in ((";", "semicolons"), ("\t", "tabs")):
            if "," in text and "wkt" not in text and len(text) < 1000:
                data = text.replace(",", sep).encode("cp1252", errors="replace")
                out.append(Case("csv", f"{name} ({label}, cp1252)", "dati.csv", data, opts))
    return out


def _other_formats(work: Path, rng: random.Random) -> list[Case]:
    kml = b'<?xml version="1.0"?><kml xmlns="http://www.opengis.net/kml/2.2"><Document>'
    laughs = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY a "aaaaaaaaaa">'
        + b"".join(
            f'<!ENTITY {c} "{("&" + p + ";") * 10}">'.encode()
            for p, c in zip("abcdefg", "bcdefgh", strict=True)
        )
        + b"]><kml><Placemark><name>&h;</name><Point><coordinates>10,45</coordinates></Point></Placemark></kml>"
    )
    xxe = (
        b'<?xml version="1.0"?><!DOCTYPE kml [<!ENTITY x SYSTEM "file:///etc/passwd">]>'
        b"<kml><Placemark><name>&x;</name><Point><coordinates>10,45</coordinates></Point></Placemark></kml>"
    )
    out = [
        Case("kml", "not XML", "dati.kml", b"hello"),
        Case("kml", "no placemarks", "dati.kml", kml + b"</Document></kml>"),
        Case("kml", "truncated", "dati.kml", kml + b"<Placemark><Point><coord"),
        Case("kml", "billion laughs", "dati.kml", laughs),
        Case("kml", "external entity", "dati.kml", xxe),
        Case(
            "kml",
            "NaN coordinates",
            "dati.kml",
            kml
            + b"<Placemark><Point><coordinates>nan,nan</coordinates></Point></Placemark></Document></kml>",
        ),
        Case("kmz", "garbage", "dati.kmz", rng.randbytes(500)),
        Case("kmz", "no kml inside", "dati.kmz", _zip({"doc.txt": b"x"})),
        Case("kmz", "traversal", "dati.kmz", _zip({"../doc.kml": kml})),
    ]
    for suffix in (".geojson", ".json", ".csv", ".kml", ".kmz", ".gpkg", ".zip"):
        for size in (7, 20000):
            out.append(Case("random", f"{size} random bytes", f"dati{suffix}", rng.randbytes(size)))
    db = work / "plain.sqlite"
    if not db.exists():
        with sqlite3.connect(db) as conn:
            conn.execute("CREATE TABLE t (a)")
    two = work / "two.gpkg"
    if not two.exists():
        pyogrio.write_dataframe(_points(), two, layer="uno")
        pyogrio.write_dataframe(_points(), two, layer="due")
    out += [
        Case("gpkg", "garbage", "dati.gpkg", rng.randbytes(4096)),
        Case("gpkg", "plain SQLite, no GeoPackage tables", "dati.gpkg", db.read_bytes()),
        Case("gpkg", "truncated", "dati.gpkg", two.read_bytes()[:2048]),
        Case("gpkg", "two layers, none chosen", "dati.gpkg", two.read_bytes()),
        Case("gpkg", "layer not there", "dati.gpkg", two.read_bytes(), {"layer": "tre"}),
    ]
    return out


def _option_cases() -> list[Case]:
    good = _fc([_feature([10.02, 45.13])])
    out = []
    for crs in (
        "EPSG:99999999",
        "nonsense",
        "EPSG:",
        "+proj=bogus",
        "EPSG:3003 OR 1=1",
        "EPSG:4326'--",
    ):
        out.append(Case("crs", f"unknown CRS {crs!r}", "dati.geojson", good, {"crs": crs}))
    for crs in ("EPSG:3003", "EPSG:32632", "EPSG:6707", "EPSG:3857"):
        out.append(Case("crs", f"lon/lat data given as {crs}", "dati.geojson", good, {"crs": crs}))
    for lid in ("Zone!", "../zone", "a" * 300, "zone;DROP TABLE x", "", "1abc", "zone/../x"):
        out.append(
            Case("options", f"layer id {lid[:20]!r}", "dati.geojson", good, {"layer_id": lid})
        )
    for rename in ("nome", "nome=", "=x", "nome=bad name", "manca=nome", "nome=codice"):
        out.append(Case("options", f"rename {rename!r}", "dati.geojson", good, {"rename": rename}))
    for name in ("dati.exe", "dati.txt", "dati", "dati.shp", "dati.geojson.exe"):
        out.append(Case("type", f"file named {name}", name, good))
    return out


def corpus(work: Path, seed: int = 20261123) -> list[Case]:
    """Every case (≥ 200), built in `work` (a scratch directory)."""
    rng = random.Random(seed)
    work.mkdir(parents=True, exist_ok=True)
    return (
        _archives(work, rng)
        + _json_cases(rng)
        + _csv_cases()
        + _other_formats(work, rng)
        + _option_cases()
        + _virtual_cases(work)
    )


def _virtual_cases(work: Path) -> list[Case]:
    # Port 9 (discard): nothing answers, so a fetch GDAL made would fail, not hang.
    files = virtual_files(write_secret(work, CANARY), "http://127.0.0.1:9")
    out = [Case("virtual", name, *files[name], {"crs": "EPSG:4326"}) for name in REFUSED]
    return out + [Case("zip", "bomb: 300 entries of 1 MiB zeros", "dati.zip", spread_bomb(300))]
