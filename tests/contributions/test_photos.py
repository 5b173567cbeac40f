"""The photo of a segnalazione on both stores (issue 20 item 1): re-encoded without EXIF,
GPS or XMP and turned upright; JPEG, PNG and WebP accepted by their content, anything else
refused with a 400 (413 over the size) naming `photo` and nothing stored; public only
while its contribution is approved; shown to its citizen and to moderators; removed by a
moderator, deleted with the e-mail and by the retention purge (app/contributions/photo.py).
"""

from __future__ import annotations

import base64
import csv
import datetime as dt
import io
import json
import re
import struct
import zlib

import pytest
from PIL import Image

BOTH_STORES = True  # every app test here runs on GeoPackage and on PostGIS

BLUE, RED = (0, 0, 255), (255, 0, 0)
REPORT = {
    "target": {"quartiere": 16},
    "kind": "segnalazione",
    "text": "Buca profonda sul marciapiede davanti alla scuola",
    "location": [10.03, 45.14],
    "email": "foto.cittadino@example.org",
    "consent": True,
}


def camera_jpeg(width=3200, height=2400) -> bytes:
    """A photo as a phone writes it: red with a blue top-left corner, stored sideways with
    EXIF orientation 6 (turn 90° clockwise to show), a GPS position, a camera, XMP."""
    image = Image.new("RGB", (width, height), RED)
    image.paste(BLUE, (0, 0, width // 4, height // 4))
    exif = Image.Exif()
    exif[0x0112] = 6  # Orientation
    exif[0x010F] = "FotoCamera"  # Make
    gps = exif.get_ifd(0x8825)  # GPSInfo
    gps[1], gps[2] = "N", (45.0, 8.0, 30.0)
    gps[3], gps[4] = "E", (10.0, 1.0, 48.0)
    xmp = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:RDF xmlns:xmp="http://ns.adobe.com/xap/1.0/"/></x:xmpmeta>'
    out = io.BytesIO()
    image.save(out, "JPEG", quality=90, exif=exif.tobytes(), xmp=xmp, comment=b"via Dante 3")
    data = out.getvalue()
    assert b"Exif" in data and b"http://ns.adobe.com/xap" in data  # what must go
    return data


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def png_declaring(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header declares width x height pixels (a decompression bomb)."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\0" * 4096))
        + chunk(b"IEND", b"")
    )


def b64(data: bytes) -> str:
    return base64.b64encode(data).decode()


def send(client, photo, body=REPORT, addr="192.0.2.1"):
    sent = dict(body) | ({} if photo is None else {"photo": photo})
    return client.post("/api/contributions", json=sent, environ_base={"REMOTE_ADDR": addr})


def served(client, cid):
    return client.get(f"/partecipa/foto/{cid}.jpg")


def assert_clean(data: bytes, most: int = 1600) -> Image.Image:
    for marker in (b"Exif", b"GPS", b"http://ns.adobe.com/xap", b"FotoCamera", b"via Dante"):
        assert marker not in data, marker
    image = Image.open(io.BytesIO(data))
    assert image.format == "JPEG" and image.mode == "RGB"
    assert not image.getexif() and "icc_profile" not in image.info and "xmp" not in image.info
    assert max(image.size) <= most
    return image


def near(pixel, colour, tolerance=40) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(pixel, colour, strict=True))


def test_a_photo_is_stripped_turned_upright_and_public_only_when_approved(client, moderator, store):
    r = send(client, b64(camera_jpeg()))
    assert r.status_code == 202, r.get_json()
    cid, follow = r.get_json()["id"], r.get_json()["follow"]
    stored = store.contribution_photo(cid)
    assert stored.media_type == "image/jpeg" and stored.bytes == len(stored.content)
    assert (stored.width, stored.height) == (1200, 1600)  # upright: portrait now

    # In moderation: not public; its citizen sees it on the private link, moderators too.
    assert served(client, cid).status_code == 404
    mine = client.get(follow + "/foto.jpg")
    assert mine.status_code == 200 and mine.headers["Cache-Control"] == "no-store"
    assert mine.data == stored.content
    assert 'foto.jpg"' in client.get(follow).get_data(as_text=True)
    admin = moderator.get(f"/admin/contributions/{cid}/foto.jpg")
    assert admin.status_code == 200 and admin.data == stored.content
    detail = moderator.get(f"/admin/contributions/{cid}").get_data(as_text=True)
    assert "Rimuovi la foto" in detail and f"/admin/contributions/{cid}/foto.jpg" in detail
    assert client.get(f"/admin/contributions/{cid}/foto.jpg").status_code in (302, 401, 403)

    h = moderator.csrf_headers
    assert moderator.post(f"/admin/contributions/{cid}/approve", headers=h).status_code == 303
    r = served(client, cid)
    assert r.status_code == 200 and r.mimetype == "image/jpeg"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    assert r.headers["Content-Disposition"].startswith("inline")
    assert "public" in r.headers["Cache-Control"] and r.headers["ETag"]
    again = client.get(f"/partecipa/foto/{cid}.jpg", headers={"If-None-Match": r.headers["ETag"]})
    assert again.status_code == 304
    image = assert_clean(r.data)
    assert image.size == (1200, 1600)
    # Orientation 6 applied: the blue corner, top-left as stored, is now top-right.
    assert near(image.getpixel((image.width - 10, 10)), BLUE)
    assert near(image.getpixel((10, 10)), RED)

    # Every public output carries its address; the panel shows a thumbnail.
    url = f"http://localhost/partecipa/foto/{cid}.jpg"
    listed = client.get("/api/contributions").get_json()["contributions"]
    assert listed[0]["photo"] == url
    item = client.get(f"/api/collections/contributi/items/{cid}").get_json()
    assert item["properties"]["photo"] == url
    rows = csv.DictReader(
        io.StringIO(client.get("/partecipa/contributi.csv").get_data(as_text=True).lstrip("\ufeff"))
    )
    assert [row["photo"] for row in rows] == [url]
    geo = json.loads(client.get("/partecipa/contributi.geojson").data)
    assert geo["features"][0]["properties"]["photo"] == url
    page = client.get(
        client.get("/api/quartieri/punto", query_string={"lon": 10.03, "lat": 45.14}).get_json()[
            "quartiere"
        ]["link"]
    ).get_data(as_text=True)
    thumb = re.search(rf'<img src="/partecipa/foto/{cid}.jpg\?size=small"[^>]*>', page).group(0)
    assert 'width="180" height="240"' in thumb and 'loading="lazy"' in thumb
    assert 'alt="Foto della segnalazione"' in thumb
    # The list shows the small version: its own clean JPEG, a fraction of the photo's weight.
    small = client.get(f"/partecipa/foto/{cid}.jpg?size=small")
    assert small.status_code == 200 and len(small.data) < len(r.data) / 3
    image = assert_clean(small.data, most=480)
    assert image.size == (360, 480) and near(image.getpixel((image.width - 5, 5)), BLUE)
    assert client.get(f"/partecipa/foto/{cid}.jpg?size=huge").status_code == 400
    assert moderator.get(f"/admin/contributions/{cid}/foto.jpg?size=small").data == small.data

    # A moderator removes the photo: gone from public, the contribution stays.
    h = moderator.csrf_headers
    r = moderator.post(f"/admin/contributions/{cid}/photo-remove", headers=h)
    assert r.status_code == 303
    assert served(client, cid).status_code == 404 and store.contribution_photo(cid) is None
    assert store.contribution(cid).public
    assert client.get("/api/contributions").get_json()["contributions"][0]["photo"] is None
    entry = next(e for e in store.audit_log(limit=20) if e["action"] == "contribution-photo-remove")
    assert cid in entry["detail"]


def test_png_with_transparency_webp_and_data_urls_are_accepted(client, moderator, store):
    clear = Image.new("RGBA", (400, 300), (0, 0, 0, 0))
    clear.paste((0, 128, 0, 255), (0, 0, 200, 300))
    png = send(client, b64(encoded(clear, "PNG")))
    webp = send(
        client,
        "data:image/webp;base64," + b64(encoded(Image.new("RGB", (2000, 500), BLUE), "WEBP")),
    )
    assert png.status_code == 202 and webp.status_code == 202, (png.get_json(), webp.get_json())
    flat = assert_clean(store.contribution_photo(png.get_json()["id"]).content)
    assert flat.size == (400, 300)
    assert near(flat.getpixel((50, 150)), (0, 128, 0)) and near(
        flat.getpixel((350, 150)), (255,) * 3
    )
    wide = assert_clean(store.contribution_photo(webp.get_json()["id"]).content)
    assert wide.size == (1600, 400) and near(wide.getpixel((800, 200)), BLUE)


def _gif() -> bytes:
    frames = [Image.new("P", (20, 20), i) for i in (1, 2)]
    return encoded(frames[0], "GIF", save_all=True, append_images=frames[1:])


REFUSED = {
    "text": (b64(b"not an image, just some text " * 20), 400),
    "svg": (
        b64(b'<svg xmlns="http://www.w3.org/2000/svg"><rect width="9" height="9"/></svg>'),
        400,
    ),
    "gif": (b64(_gif()), 400),
    "truncated": (b64(camera_jpeg(800, 600)[:4000]), 400),
    "bomb": (b64(png_declaring(20000, 20000)), 400),
    "over-40-megapixels": (b64(png_declaring(8000, 6000)), 400),
    "not-base64": ("%%% non è base64 %%%", 400),
    "not-a-string": (12, 400),
    "animated-webp": (
        b64(
            encoded(
                Image.new("RGB", (20, 20), RED),
                "WEBP",
                save_all=True,
                append_images=[Image.new("RGB", (20, 20), BLUE)],
            )
        ),
        400,
    ),
}


@pytest.mark.parametrize("case", sorted(REFUSED))
def test_a_bad_photo_is_refused_naming_the_field_and_nothing_is_stored(client, store, case):
    photo, status = REFUSED[case]
    r = send(client, photo)
    assert r.status_code == status and r.get_json()["parameter"] == "photo", r.get_json()
    assert "foto" in r.get_json()["detail"] and "photo" in r.get_json()["detail"]
    assert store.contributions(status=None).total == 0


def test_a_photo_on_another_kind_is_refused(client, store):
    jpeg = b64(encoded(Image.new("RGB", (50, 50), RED), "JPEG"))
    proposal = REPORT | {"kind": "proposta"}
    comment = REPORT | {"kind": "commento", "target": {"layer": "interventi", "id": "e1"}}
    for body in (proposal, comment):
        r = send(client, jpeg, body)
        assert r.status_code == 400 and r.get_json()["parameter"] == "photo"
    assert store.contributions(status=None).total == 0


def test_the_size_limits_name_the_photo(editing_location, tmp_path, client_factory, store):
    from tests.editing.conftest import settings

    small = client_factory(
        settings(editing_location, tmp_path),
        CONTRIBUTION_PHOTO_MAX_MB=1,
        MAX_PUBLIC_BODY_KB=512,
    )
    jpeg = encoded(Image.new("RGB", (64, 48), RED), "JPEG")

    def of_size(n: int) -> bytes:  # a JPEG with bytes after its end: decodes, weighs n
        return jpeg + b"\0" * (n - len(jpeg))

    # Within the endpoint's allowance (512 KB + 1 MB x 4/3) but over 1 MB once decoded.
    r = send(small, b64(of_size(1_100_000)))
    problem = r.get_json()
    assert r.status_code == 413 and problem["parameter"] == "photo"
    assert problem["limit"] == "GEOPORTALE_CONTRIBUTION_PHOTO_MAX_MB" and problem["maximum"] == 1
    # Over the allowance: refused before the body is read, naming the photo too.
    r = send(small, b64(of_size(1_500_000)))
    assert r.status_code == 413 and r.get_json()["parameter"] == "photo"
    # A photo under the limit passes although the body is over MAX_PUBLIC_BODY_KB ...
    assert send(small, b64(of_size(700_000))).status_code == 202
    # ... and every other public endpoint keeps MAX_PUBLIC_BODY_KB.
    other = small.post("/api/contributions/c1/flag", json={"reason": "spam", "x": "y" * 600_000})
    assert other.status_code == 413
    assert other.get_json()["limit"] == "GEOPORTALE_MAX_PUBLIC_BODY_KB"
    assert store.contributions(status=None).total == 1


def _form(client, path="/interventi/e1"):
    page = client.get(path).get_data(as_text=True)
    form = page[page.index('<form class="contribute"') :]
    form = form[: form.index("</form>")]
    assert 'enctype="multipart/form-data"' in form
    assert 'type="file" accept="image/jpeg,image/png,image/webp"' in form
    token = re.search(r'name="form_token" value="([^"]+)"', page).group(1)
    return {
        "form_token": token,
        "target_layer": "interventi",
        "target_id": "e1",
        "kind": "segnalazione",
        "text": "Il cantiere ha lasciato una buca sul marciapiede",
        "lon": "10.03",
        "lat": "45.14",
        "consent": "si",
        "website": "",
    }


def test_the_form_sends_a_photo_and_refuses_one_on_a_comment(client, store):
    fields = _form(client) | {"photo": (io.BytesIO(camera_jpeg(1000, 800)), "IMG_0001.HEIC")}
    ok = client.post("/partecipa", data=fields, content_type="multipart/form-data")
    assert ok.status_code == 200, ok.get_data(as_text=True)
    follow = re.search(
        r'href="(http://localhost/partecipa/segui/[^"]+)"', ok.get_data(as_text=True)
    )
    cid = store.contributions(status=None).items[0].id
    assert store.contribution_photo(cid).width == 800  # upright, named .HEIC but a JPEG
    assert "/foto.jpg" in client.get(follow.group(1)).get_data(as_text=True)
    # No file chosen: an empty part, no photo.
    empty = _form(client) | {"photo": (io.BytesIO(b""), "")}
    assert (
        client.post("/partecipa", data=empty, content_type="multipart/form-data").status_code == 200
    )
    # A photo on a commento: a 400 page naming the photo; nothing stored.
    comment = _form(client) | {
        "kind": "commento",
        "photo": (io.BytesIO(camera_jpeg(100, 80)), "a.jpg"),
    }
    refused = client.post("/partecipa", data=comment, content_type="multipart/form-data")
    assert refused.status_code == 400 and "foto" in refused.get_data(as_text=True)
    not_image = _form(client) | {"photo": (io.BytesIO(b"GIF89a" + b"\0" * 100), "a.jpg")}
    refused = client.post("/partecipa", data=not_image, content_type="multipart/form-data")
    assert refused.status_code == 400
    assert store.contributions(status=None).total == 2


def test_hidden_forgotten_and_purged_photos(client, moderator, app, store, runner_of):
    from app.contributions import service
    from app.services import services

    h = moderator.csrf_headers
    jpeg = b64(encoded(Image.new("RGB", (64, 48), RED), "JPEG"))
    shown, hidden, rejected, kept = (
        send(client, jpeg, REPORT | {"email": None}, addr=f"192.0.2.{n}").get_json()["id"]
        for n in range(4)
    )
    for cid in (shown, hidden, kept):
        moderator.post(f"/admin/contributions/{cid}/approve", headers=h)
    moderator.post(f"/admin/contributions/{rejected}/reject", data={"reason": "no"}, headers=h)
    moderator.post(f"/admin/contributions/{hidden}/hide", data={"reason": "volti"}, headers=h)
    assert served(client, shown).status_code == 200
    assert served(client, hidden).status_code == 404 and served(client, rejected).status_code == 404

    # Past the retention: the photos of the hidden and the rejected go, approved ones stay.
    with app.app_context():
        assert service.purge(services()) == 0
        later = dt.datetime.now(dt.UTC) + dt.timedelta(days=366)
        service.purge(services(), now=later)
    assert store.contribution_photo(hidden) is None and store.contribution_photo(rejected) is None
    assert store.contribution_photo(shown) is not None and store.contribution_photo(kept)
    purge = next(e for e in store.audit_log(limit=30) if e["action"] == "contributions-purge")
    assert json.loads(purge["detail"])["photos"] == 2

    # Forget: the photos of the contributions left with that e-mail go too.
    mine = send(client, jpeg, addr="192.0.2.50").get_json()["id"]
    moderator.post(f"/admin/contributions/{mine}/approve", headers=h)
    assert served(client, mine).status_code == 200
    result = runner_of(app).invoke(args=["contributions", "forget", REPORT["email"].upper()])
    assert result.exit_code == 0 and "forgotten: 1" in result.output
    assert served(client, mine).status_code == 404 and store.contribution_photo(mine) is None
    assert store.contribution(mine).public  # the public text stays
    forget = next(e for e in store.audit_log(limit=30) if e["action"] == "contributions-forget")
    assert json.loads(forget["detail"]) == {"contributions": 1, "photos": 1}
    assert store.contribution_photo(shown) is not None
    # The CLI removes one too (as the moderators' button), audited.
    run = runner_of(app)
    done = run.invoke(args=["contributions", "remove-photo", shown])
    assert done.exit_code == 0 and "photo removed" in done.output
    assert served(client, shown).status_code == 404 and store.contribution(shown).public
    assert "no photo" in run.invoke(args=["contributions", "remove-photo", shown]).output
    assert run.invoke(args=["contributions", "remove-photo", "c-nessuno"]).exit_code != 0


def test_a_store_made_before_photos_gains_the_table(store, request):
    from app.stores.contributions import NewContribution, Photo, RateLimits
    from app.stores.gpkg import GpkgStore

    if isinstance(store, GpkgStore):
        import sqlite3

        with sqlite3.connect(store.path) as conn:
            conn.execute("DROP TABLE geoportale_contribution_photos")
        reopened = GpkgStore(store.path)
    else:
        import psycopg

        from app.stores.postgis import PostgisStore

        url = request.getfixturevalue("editing_location")
        with psycopg.connect(url, autocommit=True) as conn:
            conn.execute("DROP TABLE geoportale.contribution_photos")
        reopened = PostgisStore(url, max_size=2)
    try:
        new = NewContribution(
            "c1", "segnalazione", None, None, 16, "Una buca in via Dante", None, 10.03, 45.14,
            "ricevuta", "d" * 64, None, "k",
        )  # fmt: skip
        photo = Photo(b"\xff\xd8 jpeg bytes \xff\xd9", 3, 2)
        reopened.contribution_add(new, RateLimits(5, 5, 600), photo)
        assert reopened.contribution_photo("c1").content == photo.content
        assert (
            reopened.contribution("c1").photo_width,
            reopened.contribution("c1").photo_height,
        ) == (3, 2)
    finally:
        reopened.close()


def test_a_refused_contribution_keeps_no_photo(client, store):
    """Over the rate limit the photo is not stored either (one transaction)."""
    jpeg = b64(encoded(Image.new("RGB", (64, 48), RED), "JPEG"))
    codes = [
        send(client, jpeg, REPORT | {"text": f"Buca numero {n} sul marciapiede"}).status_code
        for n in range(6)
    ]
    assert codes == [202] * 5 + [429]
    ids = [c.id for c in store.contributions(status=None, limit=50).items]
    assert len(ids) == 5 and all(store.contribution_photo(i) for i in ids)
