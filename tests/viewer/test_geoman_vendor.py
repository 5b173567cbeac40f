"""The pinned Leaflet-Geoman copy: served by the vendor route, licensed, matching its manifest."""

from __future__ import annotations

import base64
import hashlib
import json
import re
import shutil
import subprocess

import pytest

from scripts import refresh_geoman
from tests.chromium import wait_for_js

BASE = "/vendor/leaflet-geoman/"


@pytest.fixture(scope="module")
def manifest() -> dict:
    return refresh_geoman.read_manifest()


def test_script_and_stylesheet_served(client):
    js = client.get(BASE + "leaflet-geoman.min.js")
    assert js.status_code == 200 and "javascript" in js.mimetype
    assert "max-age=86400" in js.headers["Cache-Control"]
    assert js.headers["X-Content-Type-Options"] == "nosniff"
    css = client.get(BASE + "leaflet-geoman.css")
    assert css.status_code == 200 and css.mimetype == "text/css"
    assert ".leaflet-pm-toolbar" in css.text
    assert "MIT License" in client.get(BASE + "LICENSE").text
    assert client.get(BASE + "../../../../organisation.yaml").status_code == 404


def test_licence_is_mit(manifest):
    text = (refresh_geoman.TARGET / "LICENSE").read_text(encoding="utf-8")
    assert text.startswith("MIT License") and "Permission is hereby granted" in text
    assert manifest["licence"] == "MIT"
    assert manifest["package"] == "@geoman-io/leaflet-geoman-free"


def test_check_passes_offline(monkeypatch, capsys):
    """`--check` reads only the files: any attempt to run npm (the network) fails the test."""

    def no_network(*args, **kwargs):
        raise AssertionError(f"--check ran a program: {args}")

    monkeypatch.setattr(subprocess, "run", no_network)
    assert refresh_geoman.main(["--check"]) == 0
    assert "3 files match" in capsys.readouterr().out


def test_check_finds_a_changed_or_extra_file(tmp_path):
    copy = tmp_path / "leaflet-geoman"
    shutil.copytree(refresh_geoman.TARGET, copy)
    assert refresh_geoman.check(copy) == []
    with (copy / "leaflet-geoman.css").open("a") as f:
        f.write("/* edited by hand */\n")
    (copy / "leaflet-geoman.js.map").write_text("{}")
    problems = refresh_geoman.check(copy)
    assert "leaflet-geoman.css: sha256 differs from VERSION.json" in problems
    assert "leaflet-geoman.js.map: not in VERSION.json" in problems


def test_embedded_version_matches_manifest(manifest):
    js = (refresh_geoman.TARGET / "leaflet-geoman.min.js").read_text(encoding="utf-8")
    found = re.search(r'name:"@geoman-io/leaflet-geoman-free",version:"([^"]+)"', js)
    assert found and found.group(1) == manifest["version"]


def test_served_leaflet_satisfies_peer_dependency(manifest):
    """The manifest's `leaflet` range (a caret range, `^1.2.0`) holds the XStatic Leaflet."""
    import xstatic.pkg.leaflet as leaflet

    low = manifest["peerDependencies"]["leaflet"]
    assert low.startswith("^")
    want = tuple(int(p) for p in low[1:].split("."))
    have = tuple(int(p) for p in leaflet.VERSION.split(".")[:3])
    assert have[0] == want[0] and have >= want


def test_tarball_verified_against_registry_digests():
    data = b"not really a tarball"
    dist = {
        "integrity": "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode(),
        "shasum": hashlib.sha1(data).hexdigest(),
    }
    refresh_geoman.verify_tarball(data, dist)  # no error
    with pytest.raises(refresh_geoman.RefreshError, match="sha512"):
        refresh_geoman.verify_tarball(data + b"!", dist)
    with pytest.raises(refresh_geoman.RefreshError, match="sha1"):
        refresh_geoman.verify_tarball(data, {**dist, "shasum": "0" * 40})


def test_manifest_is_written_stably(manifest):
    path = refresh_geoman.TARGET / refresh_geoman.MANIFEST
    assert path.read_bytes() == refresh_geoman.manifest_bytes(json.loads(path.read_text()))


def test_geoman_loads_on_leaflet_in_chromium(browser, live_server):
    """On a page of ours (its CSP applies), Geoman loads from the vendor route: `L.PM` is
    defined with the pinned version, and a map gets its toolbar, with no CSP violation."""
    context = browser.new_context()
    context.add_init_script(
        "window.__csp = []; document.addEventListener('securitypolicyviolation',"
        " e => window.__csp.push(e.violatedDirective + ' ' + e.blockedURI));"
    )
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    try:
        page.goto(live_server + "/")
        wait_for_js(page, "typeof L !== 'undefined'")
        page.add_style_tag(url=BASE + "leaflet-geoman.css")
        page.add_script_tag(url=BASE + "leaflet-geoman.min.js")
        version = wait_for_js(page, "window.L && L.PM && L.PM.version")
        assert version == refresh_geoman.read_manifest()["version"]
        buttons = page.evaluate(
            """() => {
                const div = document.createElement('div');
                div.style.cssText = 'width:300px;height:200px';
                document.body.appendChild(div);
                const map = L.map(div).setView([45.13, 10.02], 14);
                map.pm.addControls({position: 'topleft'});
                return div.querySelectorAll('.leaflet-pm-toolbar .button-container').length;
            }"""
        )
        assert buttons > 0
        assert page.evaluate("window.__csp") == [] and errors == []
    finally:
        context.close()
